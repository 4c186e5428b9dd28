"""persona-gen benchmark suite: throughput, memory and start-up, against Faker and Mimesis.

    pip install -r benchmarks/requirements.txt
    python benchmarks/run.py            # full matrix (~10-20 min on 2 cores, most of it -n 2M)
    python benchmarks/run.py --quick    # smoke run (< 1 min)
    python benchmarks/run.py --full     # memory check at -n 10,000,000, as the goal states

persona-gen is measured end to end through its real console script, one subprocess per
measurement (start-up included); peers are measured in-process (see peers.py). A Markdown report
goes to stdout, progress to stderr, and all numbers to JSON (default
benchmarks/results/latest.json). See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # sibling module (benchmarks/ is not a package)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_JSON = REPO / "benchmarks" / "results" / "latest.json"
DEFAULT_SCHEMA = REPO / "schemas" / "user-event.avsc"
MIB = 1024 * 1024

#: goals from issue #4: persona-gen records/s as a multiple of Mimesis's, same shape, one process
RATIO_GOALS = {"streaming": 20.0, "load": 20.0, "file": 20.0, "api": 10.0, "fault": 10.0}
IMPORTED_RATIO_GOAL = 20.0
WORKERS_GOAL = 1.7  # --workers 2 on 2 cores vs one worker
WORKERS_RUN_SCALE = 3  # workers pairs run at 3× the throughput N (about 15 s with one worker)
RSS_GOAL_MIB = 300.0  # -n 10,000,000 to a file
STARTUP_GOAL_S = 0.5  # persona-gen list-generators, median
GOAL_MEMORY_N = 10_000_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- running the real CLI -------------------------------------------------------------------


@dataclass
class CliRun:
    argv: list[str]
    seconds: float
    rss_mib: float
    returncode: int
    timed_out: bool
    error: str | None  # last stderr line when the command failed

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _last_line(data: bytes) -> str:
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "(no output on stderr)"


# The launcher: a fresh, lean interpreter spawns the command and reports its wall time and peak
# RSS. Spawning from this (large, growing) process would be wrong: on Linux a child's ru_maxrss
# starts from the RSS high-water mark of the address space it was forked/vforked from, so every
# child would report at least this process's own peak (Faker, pyarrow, ...).
_LAUNCHER = r"""
import json, os, signal, sys, time
timeout, out, err, argv = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
w = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
           (os.POSIX_SPAWN_OPEN, 1, out, w, 0o644), (os.POSIX_SPAWN_OPEN, 2, err, w, 0o644)]
state = {"timed_out": False, "interrupted": False}
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions, setpgroup=0)
def expire(signum, frame):
    state["timed_out" if signum == signal.SIGALRM else "interrupted"] = True
    os.killpg(pid, signal.SIGKILL)
for signum in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(signum, expire)
signal.setitimer(signal.ITIMER_REAL, timeout)
_, status, usage = os.wait4(pid, 0)
end = time.perf_counter()
signal.setitimer(signal.ITIMER_REAL, 0)
try:
    os.killpg(pid, signal.SIGKILL)  # leftovers of the command's process group, if any
except OSError:
    pass
scale = 1 if sys.platform == "darwin" else 1024
print(json.dumps({"seconds": end - start, "maxrss": usage.ru_maxrss * scale,
                  "returncode": os.waitstatus_to_exitcode(status), **state}))
"""


def run_cli(argv: Sequence[str], *, timeout: float) -> CliRun:
    """Run one command; its wall-clock seconds and peak RSS (``ru_maxrss`` from ``wait4``).

    The command runs in its own process group, spawned by a lean launcher interpreter (see
    ``_LAUNCHER``); the time covers spawn to exit. ``ru_maxrss`` is the largest resident set of
    the command or of any descendant it waited for (e.g. ``--workers`` processes), not a sum.
    """
    argv = list(argv)
    with tempfile.TemporaryDirectory(prefix="run-") as scratch:
        out, err = Path(scratch, "stdout"), Path(scratch, "stderr")
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(timeout), str(out), str(err)]
        proc = subprocess.Popen([*launcher, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            stdout, stderr = proc.communicate(timeout=timeout + 60)
        except BaseException:  # interrupted: the launcher kills the command's process group
            proc.terminate()
            proc.communicate(timeout=30)
            raise
        if proc.returncode != 0:
            raise RuntimeError(f"launcher failed: {_last_line(stderr)}")
        result = orjson.loads(stdout)
        if result["interrupted"]:
            raise KeyboardInterrupt
        returncode, timed_out = int(result["returncode"]), bool(result["timed_out"])
        error = None
        if timed_out:
            error = f"timed out after {timeout:.0f} s"
        elif returncode != 0:
            error = f"exit {returncode}: {_last_line(err.read_bytes())}"
    return CliRun(argv, result["seconds"], result["maxrss"] / MIB, returncode, timed_out, error)


def find_cli() -> str:
    found = shutil.which("persona-gen") or shutil.which(
        "persona-gen", path=str(Path(sys.executable).parent)
    )
    if not found:
        sys.exit("persona-gen console script not found: pip install -e . first")
    return found


# A command maker: (n, format, workers) -> (argv, the output file it writes)
Command = Callable[[int, str, int], tuple[list[str], Path]]


def _cleanup(path: Path) -> int:
    """Remove an output (and its manifest); return its size in bytes (0 when absent)."""
    size = path.stat().st_size if path.exists() else 0
    for p in (path, path.with_name(path.name + ".manifest.json")):
        p.unlink(missing_ok=True)
    return size


@dataclass
class Measured:
    run: CliRun
    n: int
    bytes_per_record: float | None
    seconds_all: list[float] = field(default_factory=list)  # every repeat, when repeated

    @property
    def rate(self) -> float | None:
        return self.n / self.run.seconds if self.run.ok and self.run.seconds > 0 else None


def measure(
    command: Command, n: int, fmt: str, *, workers: int = 1, timeout: float = 1800
) -> Measured:
    argv, output = command(n, fmt, workers)
    run = run_cli(argv, timeout=timeout)
    size = _cleanup(output)
    return Measured(run, n, size / n if run.ok and n else None)


def measure_best(
    command: Command, n: int, fmt: str, *, repeat: int, workers: int = 1, timeout: float = 1800
) -> Measured:
    """Best (fastest) of ``repeat`` runs, with the largest peak RSS of them; stops at a failure."""
    return measure_in_turn(command, n, fmt, repeat=repeat, workers=(workers,), timeout=timeout)[0]


def measure_in_turn(
    command: Command,
    n: int,
    fmt: str,
    *,
    repeat: int,
    workers: tuple[int, ...],
    timeout: float = 1800,
) -> list[Measured]:
    """Per worker count, the best of ``repeat`` runs (``measure_best``), the counts taking
    turns (1, 2, 1, 2): a shared machine's speed drifts over minutes (on 2026-11-29 a pair
    read 1.51 times where the same two runs, made one after the other, read 1.83), and runs of
    one count made after all those of the other put that drift into their ratio."""
    runs: dict[int, list[Measured]] = {w: [] for w in workers}
    for _ in range(max(1, repeat)):
        for w in workers:
            m = measure(command, n, fmt, workers=w, timeout=timeout)
            runs[w].append(m)
            if not m.run.ok:
                return [m] * len(workers)
    return [_best(runs[w]) for w in workers]


def _best(runs: list[Measured]) -> Measured:
    n = runs[0].n
    best = min(runs, key=lambda m: m.run.seconds)
    rss = max(m.run.rss_mib for m in runs)
    run = dataclasses.replace(best.run, rss_mib=rss)
    return Measured(run, n, best.bytes_per_record, [m.run.seconds for m in runs])


def _nice(n: float) -> int:
    """Round to two significant digits (20,000 / 150,000 / 1,200,000)."""
    if n < 100:
        return max(1, round(n))
    scale = int(10 ** (len(str(int(n))) - 2))
    return round(n / scale) * scale


def calibrate(command: Command, cfg: Config, startup_s: float) -> tuple[int | None, str | None]:
    """Pick N so that one run takes about ``cfg.target_seconds``; (None, error) on a crash."""
    if cfg.fixed_n:
        return cfg.fixed_n, None
    n = cfg.pilot_n
    while True:  # grow the pilot until generating, not start-up, dominates its time
        m = measure(command, n, "jsonl", timeout=cfg.timeout)
        if not m.run.ok:
            return None, m.run.error
        if m.run.seconds >= max(2 * startup_s, 1.0) or n >= cfg.max_n:
            break
        n = min(n * 4, cfg.max_n)
    # start-up is noisy: never credit it with more than half of the pilot's time
    rate = n / max(m.run.seconds - startup_s, m.run.seconds / 2)
    return max(cfg.pilot_n, min(cfg.max_n, _nice(rate * cfg.target_seconds))), None


# --- configuration --------------------------------------------------------------------------


@dataclass
class Config:
    personas: list[str]
    generators: list[str]
    formats: list[str]
    target_seconds: float
    pilot_n: int
    max_n: int
    fixed_n: int | None
    peer_seconds: float
    peer_max: int
    peer_block: int
    memory_n: int
    memory_generator: str
    memory_persona: str
    memory_formats: list[str]
    memory_timeout: float
    workers_generators: list[str]
    workers_formats: list[str]
    startup_runs: int
    schema: Path
    imported_generators: list[str]
    imported_formats: list[str]
    skip: set[str]
    seed: int
    repeat: int
    timeout: float
    mode: str


def make_config(args: argparse.Namespace) -> Config:
    quick = bool(args.quick)
    personas = args.personas or (
        ["normal_user"] if quick else ["normal_user", "high_volume_system", "noisy_device"]
    )
    generators = args.generators or list(peers.GENERATORS)
    for p in personas:
        if p not in peers.PERSONA_VIEWS:
            sys.exit(f"no peer shape for persona {p!r}; choose from {sorted(peers.PERSONA_VIEWS)}")
    memory_n = args.memory_n or (20_000 if quick else GOAL_MEMORY_N if args.full else 2_000_000)
    return Config(
        personas=personas,
        generators=generators,
        formats=list(peers.FORMATS),
        target_seconds=args.target_seconds,
        pilot_n=2_000,
        max_n=args.max_n,
        fixed_n=1_000 if quick else None,
        peer_seconds=0.2 if quick else args.peer_seconds,
        peer_max=2_000 if quick else args.peer_max,
        peer_block=250 if quick else 1_000,
        memory_n=memory_n,
        memory_generator=args.memory_generator,
        memory_persona="normal_user",
        memory_formats=["jsonl"] if quick else list(peers.FORMATS),
        memory_timeout=args.memory_timeout,
        workers_generators=["load"] if quick else generators,
        workers_formats=["jsonl"] if quick else list(peers.FORMATS),
        startup_runs=3 if quick else args.startup_runs,
        schema=Path(args.schema),
        imported_generators=["streaming"] if quick else ["streaming", "file"],
        imported_formats=list(peers.FORMATS),
        skip=set(args.skip or ()),
        seed=args.seed,
        repeat=1 if quick else args.repeat,
        timeout=1800,
        mode="quick" if quick else "full" if args.full else "default",
    )


# --- results --------------------------------------------------------------------------------


@dataclass
class Row:
    """One persona-gen throughput measurement and the same shape made by the peers."""

    case: str
    generator: str
    persona: str
    format: str
    view: str
    goal: float
    n: int | None = None
    seconds: float | None = None
    rate: float | None = None
    rss_mib: float | None = None
    bytes_per_record: float | None = None
    error: str | None = None
    seconds_all: list[float] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    peers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def peer_rate(self, library: str) -> float | None:
        p = self.peers.get(library)
        return p["rate"] if p and p.get("rate") else None

    @property
    def ratio(self) -> float | None:
        mimesis = self.peer_rate("mimesis")
        return self.rate / mimesis if self.rate and mimesis else None

    @property
    def status(self) -> str:
        if self.error:
            return self.error if self.error.startswith("unavailable") else f"FAIL: {self.error}"
        if not self.peers:
            return "n/a (no peer measurement)"
        return _status_at_least(self.ratio, self.goal)


@dataclass
class Check:
    """A goal that is not a ratio to a peer: workers scaling, start-up, peak memory."""

    check: str
    detail: str
    measured: str
    goal: str
    status: str
    data: dict[str, Any] = field(default_factory=dict)


def times(x: float) -> str:
    """A multiple, readable at any size: 0.0042, 0.31, 2.45, 37 (with a times sign)."""
    if x >= 10:
        return f"{x:.0f}×"
    if x >= 0.1:
        return f"{x:.2f}×"
    return f"{x:.2g}×"


def _status_at_least(value: float | None, goal: float) -> str:
    if value is None:
        return "n/a"
    verdict = "PASS" if value >= goal else "MISS"
    return f"{verdict} ({times(value / goal)} goal)"


def _status_at_most(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    verdict = "PASS" if value < limit else "MISS"
    return f"{verdict} ({times(value / limit)} limit)"


@dataclass
class Suite:
    cfg: Config
    cli: str
    tmp: Path
    rows: list[Row] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    startup: dict[str, Any] = field(default_factory=dict)
    peer_cache: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)

    # -- commands --
    def quick_command(self, persona: str, generator: str) -> Command:
        def command(n: int, fmt: str, workers: int) -> tuple[list[str], Path]:
            out = self.tmp / f"{persona}-{generator}.{fmt}"
            argv = [self.cli, "quick", persona, "-t", generator, "-n", str(n)]
            argv += ["-s", str(self.cfg.seed), "-o", str(out), "--format", fmt]
            if workers != 1:
                argv += ["--workers", str(workers)]
            return argv, out

        return command

    def generate_command(self, profile: dict[str, Any], tag: str) -> Command:
        def command(n: int, fmt: str, workers: int) -> tuple[list[str], Path]:
            data = orjson.loads(orjson.dumps(profile))  # deep copy
            dataset = data["datasets"][0]
            dataset.update(count=n, format=fmt, output=f"{tag}.{fmt}")
            path = self.tmp / f"{tag}-{fmt}.yaml"
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            argv = [self.cli, "generate", str(path), "-o", str(self.tmp / "gen")]
            argv += ["-s", str(self.cfg.seed)]
            if workers != 1:
                argv += ["--workers", str(workers)]
            return argv, self.tmp / "gen" / f"{tag}.{fmt}"

        return command

    # -- peers --
    def peer(self, library: str, generator: str, view: str, fmt: str) -> dict[str, Any]:
        key = (library, generator, view, fmt)
        if key not in self.peer_cache:
            path = self.tmp / f"peer-{library}-{generator}.{fmt}"
            try:
                tries = [
                    peers.measure(
                        library,
                        generator,
                        view,
                        fmt,
                        path,
                        seed=self.cfg.seed,
                        target_seconds=self.cfg.peer_seconds,
                        max_records=self.cfg.peer_max,
                        block=self.cfg.peer_block,
                    )
                    for _ in range(max(1, self.cfg.repeat))
                ]
                r = max(tries, key=lambda t: t.rate)
                result = {**dataclasses.asdict(r), "rate": r.rate}
                result["rates_all"] = [t.rate for t in tries]
                log(f"    peer {library:8} {generator:9} {view:15} {fmt:7} {r.rate:>12,.0f} rec/s")
            except Exception as exc:  # a peer library failing must not stop the suite
                result = {"library": library, "error": f"{type(exc).__name__}: {exc}"}
                log(f"    peer {library} {generator} {view} {fmt} FAILED: {result['error']}")
            finally:
                path.unlink(missing_ok=True)
            self.peer_cache[key] = result
        return self.peer_cache[key]

    def attach_peers(self, row: Row) -> None:
        if "peers" in self.cfg.skip:
            return
        for library in peers.LIBRARIES:
            row.peers[library] = self.peer(library, row.generator, row.view, row.format)

    # -- sections --
    def run_startup(self) -> None:
        runs = self.cfg.startup_runs
        log(f"start-up: persona-gen list-generators x{runs} (+1 warm-up)")
        argv = [self.cli, "list-generators"]
        results = [run_cli(argv, timeout=120) for _ in range(runs + 1)][1:]
        failed = next((r for r in results if not r.ok), None)
        times = [r.seconds for r in results]
        median = statistics.median(times)
        self.startup = {"list_generators_s": times, "median_s": median}
        self.checks.append(
            Check(
                "start-up: `persona-gen list-generators`",
                f"median of {runs} runs (min {min(times):.2f}, max {max(times):.2f} s)",
                f"{median:.2f} s",
                f"< {STARTUP_GOAL_S} s",
                f"FAIL: {failed.error}" if failed else _status_at_most(median, STARTUP_GOAL_S),
                {"times_s": times, "median_s": median},
            )
        )
        # Informational: start-up of a real generation command, used to size the runs.
        command = self.quick_command("normal_user", "load")
        quick_runs = [measure(command, 1, "jsonl", timeout=120) for _ in range(min(runs, 3))]
        quick_times = [m.run.seconds for m in quick_runs if m.run.ok]
        quick_median = statistics.median(quick_times) if quick_times else median
        self.startup["quick_n1_s"] = quick_times
        self.startup["quick_n1_median_s"] = quick_median
        self.checks.append(
            Check(
                "start-up: `quick normal_user -t load -n 1 -o x.jsonl`",
                f"median of {len(quick_times)} runs; included in every persona-gen rate above",
                f"{quick_median:.2f} s",
                "(info)",
                "info",
                {"times_s": quick_times},
            )
        )

    def run_row(self, row: Row, command: Command, n: int) -> Row:
        m = measure_best(command, n, row.format, repeat=self.cfg.repeat, timeout=self.cfg.timeout)
        row.n, row.seconds, row.command = n, m.run.seconds, m.run.argv
        row.seconds_all = m.seconds_all
        row.rss_mib, row.rate, row.bytes_per_record = m.run.rss_mib, m.rate, m.bytes_per_record
        row.error = m.run.error
        shown = f"{row.rate:,.0f} rec/s" if row.rate else f"FAILED {row.error}"
        log(
            f"  {row.case:8} {row.generator:9} {row.persona:18} {row.format:7} "
            f"n={n:<9,} {m.run.seconds:6.1f} s  {shown}  {m.run.rss_mib:.0f} MiB"
        )
        if row.rate and row.view in peers.VIEWS:
            self.attach_peers(row)
        return row

    def run_matrix(self) -> dict[tuple[str, str], int]:
        sizes: dict[tuple[str, str], int] = {}
        startup_s = self.quick_startup()
        for persona in self.cfg.personas:
            view = peers.PERSONA_VIEWS[persona]
            for generator in self.cfg.generators:
                command = self.quick_command(persona, generator)
                n, error = calibrate(command, self.cfg, startup_s)
                for fmt in self.cfg.formats:
                    row = Row("built-in", generator, persona, fmt, view, RATIO_GOALS[generator])
                    if n is None:
                        row.error = error
                        log(f"  built-in {generator} {persona} {fmt}: FAILED {error}")
                        self.rows.append(row)
                        continue
                    sizes[(persona, generator)] = n
                    self.rows.append(self.run_row(row, command, n))
        return sizes

    def run_imported(self) -> None:
        schema = self.cfg.schema
        startup_s = self.quick_startup()
        label = f"imported {schema.name}"
        for generator in self.cfg.imported_generators:
            reason = None
            profile: dict[str, Any] = {}
            if not schema.exists():
                reason = f"unavailable: {schema} not found"
            else:
                out = self.tmp / f"imported-{generator}.yaml"
                argv = [self.cli, "import-schema", str(schema), "-t", generator, "-o", str(out)]
                imported = run_cli(argv, timeout=300)
                if not imported.ok:
                    reason = f"unavailable: import-schema failed ({imported.error})"
                else:
                    profile = yaml.safe_load(out.read_text(encoding="utf-8"))
                    if not profile.get("datasets"):
                        reason = "unavailable: the imported profile declares no dataset"
            n: int | None = None
            command: Command | None = None
            if reason is None:
                command = self.generate_command(profile, f"imported-{generator}")
                n, error = calibrate(command, self.cfg, startup_s)
                if n is None:
                    reason = error
            for fmt in self.cfg.imported_formats:
                view = peers.AVRO_VIEW if schema.name == "user-event.avsc" else "?"
                row = Row(label, generator, "normal_user", fmt, view, IMPORTED_RATIO_GOAL)
                if reason is not None or command is None or n is None:
                    row.error = reason
                    log(f"  {label} {generator} {fmt}: {reason}")
                    self.rows.append(row)
                    continue
                self.rows.append(self.run_row(row, command, n))  # no peers for view "?"

    def quick_startup(self) -> float:
        """The start-up of a generating command, in seconds: the start-up section's median,
        else measured here (with ``--skip startup``, the pairs were sized as if it were a fixed
        0.5 s, and the matrix's rows as if it took no time: the pilots took start-up for
        generation, so a row ran ~2 s, mostly start-up, which no worker count speeds up and
        which read a row at a fifth of its rate)."""
        if "quick_n1_median_s" not in self.startup:
            command = self.quick_command("normal_user", "load")
            runs = [measure(command, 1, "jsonl", timeout=120) for _ in range(3)]
            times = [m.run.seconds for m in runs if m.run.ok]
            self.startup["quick_n1_median_s"] = statistics.median(times) if times else 0.5
        return float(self.startup["quick_n1_median_s"])

    def run_workers(self, sizes: dict[tuple[str, str], int]) -> None:
        cpus = os.cpu_count() or 1
        persona = "normal_user" if "normal_user" in self.cfg.personas else self.cfg.personas[0]
        for generator in self.cfg.workers_generators:
            command = self.quick_command(persona, generator)
            n = sizes.get((persona, generator))
            if n is None and not self.cfg.fixed_n:
                n, _ = calibrate(command, self.cfg, self.quick_startup())
            n = n or self.cfg.fixed_n or self.cfg.pilot_n
            if not self.cfg.fixed_n:
                # Longer runs, so the fixed start-up (~0.5 s, one process whatever the worker
                # count) does not cap the measured scaling.
                n *= WORKERS_RUN_SCALE
            for fmt in self.cfg.workers_formats:
                one, two = measure_in_turn(
                    command,
                    n,
                    fmt,
                    workers=(1, 2),
                    repeat=self.cfg.repeat,
                    timeout=self.cfg.timeout,
                )
                speedup = two.rate / one.rate if one.rate and two.rate else None
                failed = one.run.error or two.run.error
                if failed:
                    status = f"FAIL: {failed}"
                elif cpus < 2:
                    status = f"n/a ({cpus} CPU)"
                else:
                    status = _status_at_least(speedup, WORKERS_GOAL)
                r1 = f"{one.rate:,.0f}" if one.rate else "-"
                r2 = f"{two.rate:,.0f}" if two.rate else "-"
                log(f"  workers {generator} {fmt} n={n:,}: 1w {r1}  2w {r2} rec/s")
                self.checks.append(
                    Check(
                        "`--workers 2` vs 1",
                        f"{generator}, {persona}, {fmt}, n={n:,}: 1 worker {r1} rec/s, "
                        f"2 workers {r2} rec/s (2w peak RSS {two.run.rss_mib:.0f} MiB)",
                        times(speedup) if speedup else "-",
                        f"≥ {WORKERS_GOAL}× on 2 cores",
                        status,
                        {
                            "generator": generator,
                            "format": fmt,
                            "n": n,
                            "one": dataclasses.asdict(one.run) | {"rate": one.rate},
                            "two": dataclasses.asdict(two.run) | {"rate": two.rate},
                            "speedup": speedup,
                            "cpus": cpus,
                        },
                    )
                )

    def run_memory(self) -> None:
        cfg = self.cfg
        command = self.quick_command(cfg.memory_persona, cfg.memory_generator)
        for fmt in cfg.memory_formats:
            log(
                f"memory: quick {cfg.memory_persona} -t {cfg.memory_generator} "
                f"-n {cfg.memory_n:,} --format {fmt} (timeout {cfg.memory_timeout:.0f} s)"
            )
            m = measure(command, cfg.memory_n, fmt, timeout=cfg.memory_timeout)
            if m.run.timed_out:
                status = (
                    f"MISS: {m.run.error}; peak RSS so far {m.run.rss_mib:.0f} MiB "
                    f"({times(m.run.rss_mib / RSS_GOAL_MIB)} limit)"
                )
            elif m.run.error:
                status = f"FAIL: {m.run.error}"
            else:
                status = _status_at_most(m.run.rss_mib, RSS_GOAL_MIB)
            goal = f"< {RSS_GOAL_MIB:.0f} MiB"
            if cfg.memory_n != GOAL_MEMORY_N:
                goal += f" (goal stated at n={GOAL_MEMORY_N:,}; `--full` runs it)"
            rate = f"{m.rate:,.0f} rec/s" if m.rate else "-"
            log(f"  {m.run.seconds:.0f} s, {rate}, peak RSS {m.run.rss_mib:.0f} MiB")
            self.checks.append(
                Check(
                    f"peak RSS, `-n {cfg.memory_n:,}` to a file",
                    f"{cfg.memory_generator}, {cfg.memory_persona}, {fmt}: "
                    f"{m.run.seconds:.0f} s, {rate}",
                    f"{m.run.rss_mib:.0f} MiB",
                    goal,
                    status,
                    {
                        "n": cfg.memory_n,
                        "format": fmt,
                        "generator": cfg.memory_generator,
                        "run": dataclasses.asdict(m.run),
                        "rate": m.rate,
                    },
                )
            )


# --- report ---------------------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def machine_info() -> dict[str, Any]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": platform.python_version(),
        "memory_total_mib": _total_memory_mib(),
        "git_commit": commit + (" (uncommitted changes)" if dirty and commit else ""),
        "packages": {
            name: _version(name)
            for name in ("persona-gen", "faker", "mimesis", "orjson", "pyarrow", "numpy")
        },
    }


def _total_memory_mib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages * size / MIB)


def _fmt_rate(value: float | None) -> str:
    return f"{value:,.0f}" if value else "-"


def markdown(suite: Suite, meta: dict[str, Any]) -> str:
    pk = meta["packages"]
    load = meta.get("loadavg", {})
    lines = [
        f"### persona-gen benchmark ({meta['date_utc']}, `{suite.cfg.mode}` run)",
        "",
        f"Machine: {meta['cpu_count']} CPUs, {meta['memory_total_mib']} MiB RAM, "
        f"{meta['platform']}, Python {meta['python']}. persona-gen {pk['persona-gen']} "
        f"(git {meta['git_commit'] or '?'}), Mimesis {pk['mimesis']}, Faker {pk['faker']}, "
        f"orjson {pk['orjson']}, pyarrow {pk['pyarrow']}. "
        f"Load average before/after: {load.get('start', '?')} / {load.get('end', '?')}.",
        "",
        "| case | generator | persona | format | N | persona-gen rec/s | peak RSS MiB "
        "| bytes/rec pg · Mimesis | Mimesis rec/s | Faker rec/s | × Mimesis | goal | status |",
        "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in suite.rows:
        mimesis = r.peers.get("mimesis", {})
        pbytes = mimesis.get("bytes_per_record")
        size = (
            f"{r.bytes_per_record:,.0f} · {pbytes:,.0f}" if r.bytes_per_record and pbytes else "-"
        )
        lines.append(
            f"| {r.case} | {r.generator} | {r.persona} | {r.format} "
            f"| {f'{r.n:,}' if r.n else '-'} | {_fmt_rate(r.rate)} "
            f"| {f'{r.rss_mib:.0f}' if r.rss_mib and r.rate else '-'} | {size} "
            f"| {_fmt_rate(r.peer_rate('mimesis'))} | {_fmt_rate(r.peer_rate('faker'))} "
            f"| {times(r.ratio) if r.ratio else '-'} | ≥ {r.goal:g}× | {r.status} |"
        )
    if suite.checks:
        lines += ["", "| check | detail | measured | goal | status |", "|---|---|--:|---|---|"]
        lines += [
            f"| {c.check} | {c.detail} | {c.measured} | {c.goal} | {c.status} |"
            for c in suite.checks
        ]
    lines += [
        "",
        "persona-gen rates are end to end: one `persona-gen quick …` (or `generate …`) subprocess "
        "per row, start-up, generation and writing the file included; peak RSS is that process's "
        "`ru_maxrss`. Peers (Faker, Mimesis) make the same record shape in-process and are timed "
        "on generation + serialisation only, with no import or start-up cost counted. "
        "`× Mimesis` = persona-gen rec/s ÷ Mimesis rec/s for the same generator shape, domain view "
        "and format. Status: PASS/MISS with the measured value as a multiple of the goal "
        "(throughput: ≥ 1.00 passes; limits: < 1.00 passes). "
        f"Every throughput figure is the best of {suite.cfg.repeat} run(s).",
    ]
    if (meta["cpu_count"] or 1) <= 2:
        lines.append("")
        lines.append(
            "This machine has only "
            f"{meta['cpu_count']} CPUs and other work may have been running: numbers are noisy "
            "(see the load averages above); compare rows from the same run."
        )
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run (< 1 min)")
    parser.add_argument(
        "--full", action="store_true", help=f"memory check at -n {GOAL_MEMORY_N:,} (the goal's n)"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write JSON")
    parser.add_argument("--personas", type=lambda s: s.split(","), help="comma-separated")
    parser.add_argument("--generators", type=lambda s: s.split(","), help="comma-separated")
    parser.add_argument(
        "--target-seconds", type=float, default=5.0, help="size each persona-gen run to ~this"
    )
    parser.add_argument("--max-n", type=int, default=5_000_000, help="cap on a run's -n")
    parser.add_argument("--peer-seconds", type=float, default=2.0, help="time per peer run")
    parser.add_argument("--peer-max", type=int, default=50_000, help="cap on peer records")
    parser.add_argument("--memory-n", type=int, help="-n of the memory check (default 2M)")
    parser.add_argument("--memory-generator", default="streaming")
    parser.add_argument("--memory-timeout", type=float, default=3600.0, help="seconds")
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--schema", default=str(DEFAULT_SCHEMA), help="schema to import")
    parser.add_argument(
        "--skip",
        action="append",
        choices=["startup", "matrix", "imported", "workers", "memory", "peers"],
        help="skip a section (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every throughput measurement (persona-gen and peers) this many times; "
        "report the fastest (use 3 on a busy machine)",
    )
    args = parser.parse_args(argv)
    bad = set(args.generators or ()) - set(peers.GENERATORS)
    if bad:
        parser.error(f"unknown generator(s): {', '.join(sorted(bad))}")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through run_cli, which stops the running command


def compile_package() -> None:
    """Compile persona-gen's bytecode, as ``pip install`` does: an editable install run with
    PYTHONDONTWRITEBYTECODE set would otherwise compile its changed modules again at every
    start (~40 ms), which the peers, compiled in site-packages, do not."""
    spec = importlib.util.find_spec("persona_gen")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    cfg = make_config(args)
    meta = machine_info()
    meta["loadavg"] = {"start": _loadavg()}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="persona-gen-bench-") as tmp:
        suite = Suite(cfg, find_cli(), Path(tmp))
        log(f"persona-gen benchmark ({cfg.mode}); CLI {suite.cli}; scratch {tmp}")
        compile_package()
        if "startup" not in cfg.skip:
            suite.run_startup()
        sizes: dict[tuple[str, str], int] = {}
        if "matrix" not in cfg.skip:
            log("throughput: built-in domain")
            sizes = suite.run_matrix()
        if "imported" not in cfg.skip:
            log(f"throughput: imported schema {cfg.schema}")
            suite.run_imported()
        if "workers" not in cfg.skip:
            log("workers: --workers 2 vs 1")
            suite.run_workers(sizes)
        if "memory" not in cfg.skip:
            suite.run_memory()
    meta["loadavg"]["end"] = _loadavg()
    meta["elapsed_s"] = round(time.perf_counter() - started, 1)
    report = markdown(suite, meta)
    sys.stdout.write(report)
    payload = {
        "meta": meta,
        "config": dataclasses.asdict(cfg) | {"schema": str(cfg.schema), "skip": sorted(cfg.skip)},
        "goals": {
            "ratio_vs_mimesis": RATIO_GOALS,
            "imported_ratio_vs_mimesis": IMPORTED_RATIO_GOAL,
            "workers_speedup": WORKERS_GOAL,
            "peak_rss_mib": RSS_GOAL_MIB,
            "peak_rss_goal_n": GOAL_MEMORY_N,
            "startup_s": STARTUP_GOAL_S,
        },
        "startup": suite.startup,
        "rows": [
            dataclasses.asdict(r) | {"ratio": r.ratio, "status": r.status} for r in suite.rows
        ],
        "checks": [dataclasses.asdict(c) for c in suite.checks],
        "markdown": report,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    log(f"done in {meta['elapsed_s']:.0f} s; JSON written to {args.json}")
    return 0


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
