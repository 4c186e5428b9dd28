"""Re-run every ```console block of the docs and paste the real output, so docs stay true.

    python scripts/refresh_docs.py docs/generators/*.md docs/errors.md

Conventions:
- a ```yaml block whose first line is `# NAME.yaml` (or .yml) is written to the page's work dir
  before the page's commands run (so line numbers in messages match what the reader sees);
- in a ```console block, lines starting with `$ ` are commands; everything else is output and
  is replaced. Commands of one page run in one work dir, in order, in one bash process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def fill(page: Path, work: Path) -> None:
    text = page.read_text()
    shutil.rmtree(work, ignore_errors=True)  # every page starts from an empty folder
    work.mkdir(parents=True, exist_ok=True)
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        first = body.split("\n", 1)[0]
        if lang == "yaml" and re.match(r"^# [\w./-]+\.ya?ml$", first):
            target = work / first[2:]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
    blocks = [m for m in FENCE.finditer(text) if m.group(1) == "console"]
    if not blocks:
        return
    commands: list[str] = []
    for m in blocks:
        for line in m.group(2).splitlines():
            if line.startswith("$ "):
                commands.append(line[2:])
    script = ["__rc=0"]
    for i, cmd in enumerate(commands):
        script.append(f"echo '@@@{i}'; (exit $__rc); {{ {cmd}\n}} 2>&1; __rc=$?; echo")
    script.append("echo '@@@end'")
    out = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        check=False,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
    ).stdout
    parts = re.split(r"^@@@(\d+|end)\n", out, flags=re.M)
    outputs: dict[int, str] = {}
    for k in range(1, len(parts) - 1, 2):
        if parts[k] != "end":
            outputs[int(parts[k])] = parts[k + 1]
    counter = 0
    pieces: list[str] = []
    last = 0
    for m in blocks:
        new_lines: list[str] = []
        for line in m.group(2).splitlines():
            if line.startswith("$ "):
                new_lines.append(line)
                new_lines.append(outputs.get(counter, "").rstrip("\n"))
                counter += 1
        body = "\n".join(x for x in new_lines if x != "") + "\n"
        pieces.append(text[last : m.start(2)])
        pieces.append(body)
        last = m.end(2)
    pieces.append(text[last:])
    page.write_text("".join(pieces))
    print(f"filled {page} ({counter} commands)", file=sys.stderr)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        p = Path(arg)
        fill(p, Path("/tmp/docrun") / p.stem)
