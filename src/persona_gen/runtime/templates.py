"""Commented starting points for new persona and profile files (they validate as written)."""

from __future__ import annotations

import shlex

PERSONA_TEMPLATE = """\
# Persona: {name}
# A persona describes HOW a population behaves, never what records look like.
# Reference: docs/persona-format.md; every behaviour kind: docs/behaviours/.
name: {name}
version: 1.0.0
description: Describe the population this persona stands for

# Inherit from one or more personas; values here override theirs,
# and `behaviors: {{some_block: null}}` removes an inherited block.
# extends: [normal_user]

population:
  kind: user          # user | client | device | service
  id_prefix: usr

behaviors:
  # How often the population acts, pauses and waits for answers.
  timing:
    rate_per_second: 2.0
    think_time_ms: {{dist: lognormal, median: 3000, sigma: 0.8}}
    latency_ms: {{dist: lognormal, median: 120, sigma: 0.5}}

  # Visits: events per session and how many distinct actors exist.
  session:
    length: {{dist: geometric, mean: 10}}
    users: 1000

  # A block's kind is its name unless `kind:` says otherwise.
  rare_errors:
    kind: errors
    rate: 0.02
    statuses: {{500: 0.5, 503: 0.5}}

  # More kinds to try: typos, unicode, boundary_values, retry_storms,
  # intermittent_connectivity, burst_traffic... (persona-gen list-behaviours)
  typos:
    rate: 0.02
"""

PROFILE_TEMPLATE_HEAD = """\
# Profile: {name}
# A profile binds personas to datasets for one project. It holds no behaviour and no
# generation logic. Reference: docs/profile-format.md
name: {name}
version: 1.0.0
description: Test data for {name}

# Every dataset is reproducible from this seed (remove it to draw a fresh one per run).
seed: 42

# Personas and their share of records when datasets mix them.
{found_in}personas:
"""

# (a persona from a folder is not found without it: the template would not validate)
PROFILE_FOUND_IN = "# Not built in: {names}; give {options} to validate, generate and check.\n"

PROFILE_DATASET = """\
  - name: {type}_data
    type: {type}           # api | streaming | file | load | fault
    count: 100
    format: {fmt}          # json | jsonl | csv | parquet (avro, protobuf, sql: see the docs)
    output: {type}_data.{fmt}
"""


def persona_template(name: str) -> str:
    return PERSONA_TEMPLATE.format(name=name)


PROFILE_FILE_DATASET = """\
  - name: file_{entity}
    type: file
    count: 100
    format: csv
    output: file_{entity}.csv
    personas: [{personas}]   # file rows of one dataset are one entity
"""


def profile_template(
    name: str,
    personas: list[str],
    types: list[str],
    file_entities: dict[str, str] | None = None,
    found_in: tuple[list[str], list[str]] = ([], []),
) -> str:
    """A profile for ``personas`` and dataset ``types``. ``file_entities`` (persona -> the
    entity its file rows hold) splits the file dataset by entity when personas differ, as
    one file holds one entity's rows. ``found_in`` (the personas that are not built in, and
    the ``--personas-dir`` folders they were read from) is said in a comment, with the
    ``-p`` options that find them."""
    outside, folders = found_in
    said = ""
    if outside:
        options = " ".join(f"-p {shlex.quote(folder)}" for folder in folders)
        said = PROFILE_FOUND_IN.format(names=", ".join(outside), options=options)
    text = PROFILE_TEMPLATE_HEAD.format(name=name, found_in=said)
    weight = round(1.0 / len(personas), 4)
    for p in personas:
        text += f"  - name: {p}\n    weight: {weight}\n"
    text += "\n# What to generate, and where (relative to `generate -o DIR`).\ndatasets:\n"
    groups: dict[str, list[str]] = {}
    for p in personas:
        groups.setdefault((file_entities or {}).get(p, ""), []).append(p)
    for t in types:
        if t == "file" and len(groups) > 1:
            for entity, members in groups.items():
                text += PROFILE_FILE_DATASET.format(
                    entity=entity.lower(), personas=", ".join(members)
                )
            continue
        text += PROFILE_DATASET.format(type=t, fmt="csv" if t == "file" else "json")
    return text
