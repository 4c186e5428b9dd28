"""Persona files: loading, inheritance and validation errors that point at the line."""

from __future__ import annotations

import contextlib
import json
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import GENERATORS, records, run_cli
from persona_gen._yaml import parse_yaml
from persona_gen.errors import PersonaGenError, UnknownNameError, ValidationError
from persona_gen.personas.behaviours import BEHAVIOURS
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.loader import PersonaCatalog, builtin_persona_dir
from persona_gen.personas.sessions import SlotState, advance, lay_out
from persona_gen.personas.trace import Trace

ROOT = Path(__file__).resolve().parent.parent

SPEC_TABLE = {
    "normal_user": {"timing", "typos", "session", "errors"},
    "noisy_device": {
        "intermittent_connectivity",
        "signal_noise",
        "delayed_transmission",
        "errors",
        "battery_drain",
    },
    "legacy_client": {
        "slow_processing",
        "deprecated_formats",
        "connection_issues",
        "retry_storms",
        "limited_features",
    },
    "high_volume_system": {
        "burst_traffic",
        "sustained_load",
        "minimal_latency",
        "batch_operations",
        "rate_limits",
    },
    "edge_case_user": {
        "boundary_values",
        "unicode",
        "rapid_actions",
        "concurrent_requests",
        "malformed_inputs",
        "session_anomalies",
    },
}


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def validate_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, kind: str = "persona"
) -> Any:
    """``persona-gen validate b.yaml -t KIND`` of ``text``, run from ``tmp_path`` (so its
    messages name ``b.yaml``)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.yaml").write_text(text)
    return run_cli(["validate", "b.yaml", "-t", kind])


@pytest.mark.parametrize(("persona", "kinds"), SPEC_TABLE.items())
def test_builtin_personas_have_every_behaviour_of_the_spec(persona: str, kinds: set[str]) -> None:
    loaded = PersonaCatalog().get(persona)
    assert kinds <= {b.kind for b in loaded.behaviours}


def test_repo_personas_match_the_packaged_ones() -> None:
    for packaged in builtin_persona_dir().glob("*.yaml"):
        assert (ROOT / "personas" / packaged.name).read_text() == packaged.read_text()


@pytest.mark.parametrize("name", BEHAVIOURS.names())
def test_every_behaviour_kind_conforms(name: str) -> None:
    cls = BEHAVIOURS.get(name)
    assert issubclass(cls, Behaviour)
    assert cls.kind == name
    assert cls.summary
    assert isinstance(cls.phase, Phase)
    assert issubclass(cls.params_model, Params)
    behaviour = cls(name, cls.params_model())  # defaults are valid
    trace = Trace.blank(0, 64, 0)
    trace.t_ms[:] = range(0, 64_000, 1000)
    import numpy as np

    behaviour.apply(trace, np.random.default_rng(0))
    assert trace.n == 64
    assert (ROOT / "docs" / "behaviours" / f"{name}.md").exists(), "each kind is documented"


@pytest.mark.parametrize("name", BEHAVIOURS.names())
def test_each_kind_s_page_has_one_table_of_its_parameters(name: str) -> None:
    # (deprecated_formats' table was split by a paragraph: Markdown showed its last eight
    # rows as a line of text, not as the table)
    lines = (ROOT / "docs" / "behaviours" / f"{name}.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| name | type | default | meaning |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line.split("`")[1])
    assert rows == list(BEHAVIOURS.get(name).params_model.model_fields)


def test_the_behaviours_page_names_the_order_content_effects_are_made_in() -> None:
    # (it said a later block wins, which content marks do not follow: boundary_values,
    # declared before unicode in edge_case_user, overwrote unicode samples on its fields)
    from persona_gen.generators.effects import CONTENT_EFFECTS

    page = " ".join((ROOT / "docs" / "behaviours" / "README.md").read_text().split())
    assert ", ".join(f"`{mark}`" for mark in CONTENT_EFFECTS) in page


def test_extends_merges_and_overrides(tmp_path: Path) -> None:
    write(
        tmp_path,
        "chatty_user",
        """\
        name: chatty_user
        version: 2.0.0
        extends: normal_user
        behaviors:
          typos: {rate: 0.5}
          rare_errors: null
          unicode: {rate: 0.1}
        """,
    )
    persona = PersonaCatalog([tmp_path]).get("chatty_user")
    kinds = {b.name: b for b in persona.behaviours}
    assert kinds["typos"].params.rate == 0.5
    assert kinds["typos"].params.max_edits == 1  # inherited default
    assert "rare_errors" not in kinds  # removed by null
    assert "unicode" in kinds and "timing" in kinds  # added and inherited
    assert persona.version == "2.0.0"
    assert persona.population.kind == "user"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (  # (`typos:` alone is null: it was a persona without the block, said valid)
            "name: mine\nbehaviors:\n  typos:\n",
            "mine.yaml:3:3: behaviors.typos: null removes an inherited block, and this persona "
            "inherits none (it has no extends); write 'typos: {}' for its defaults",
        ),
        (
            "name: mine\nextends: [normal_user]\nbehaviors:\n  typos: null\n  signal_noise:\n",
            "mine.yaml:5:3: behaviors.signal_noise: null removes an inherited block, and no "
            "parent (normal_user) has a block named 'signal_noise'; write 'signal_noise: {}' "
            "for its defaults",
        ),
    ],
)
def test_a_null_block_that_removes_nothing_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "mine", text)
    result = run_cli(["validate", str(path)])
    assert (result.code, result.stderr) == (1, f"persona-gen: error: {tmp_path}/{message}\n")
    result = run_cli(["quick", "mine", "-p", str(tmp_path), "-t", "api", "-n", "1", "-s", "1"])
    assert (result.code, result.stderr) == (1, f"persona-gen: error: {tmp_path}/{message}\n")


def test_multiple_parents(tmp_path: Path) -> None:
    write(
        tmp_path,
        "hybrid",
        """\
        name: hybrid
        extends: [normal_user, noisy_device]
        """,
    )
    kinds = {b.kind for b in PersonaCatalog([tmp_path]).get("hybrid").behaviours}
    assert {"typos", "intermittent_connectivity"} <= kinds


def test_a_child_has_its_own_version_and_inherits_the_description(tmp_path: Path) -> None:
    # docs/persona-format.md#inheritance: version is never inherited, description is.
    write(tmp_path, "base_a", "name: base_a\nversion: 2.0.0\ndescription: A\n")
    write(tmp_path, "base_b", "name: base_b\nversion: 3.0.0\ndescription: B\n")
    write(tmp_path, "child", "name: child\nextends: [base_a, base_b]\n")
    write(tmp_path, "versioned", "name: versioned\nversion: 1.4.0\nextends: base_b\n")
    catalog = PersonaCatalog([tmp_path])
    child = catalog.get("child")
    assert (child.version, child.description) == ("1.0.0", "B")
    assert child.definition["version"] == "1.0.0"  # (what the content hash covers)
    assert catalog.get("versioned").version == "1.4.0"


def test_directory_overrides_builtin(tmp_path: Path) -> None:
    write(
        tmp_path,
        "normal_user",
        """\
        name: normal_user
        version: 9.9.9
        behaviors: {typos: {rate: 0.9}}
        """,
    )
    assert PersonaCatalog([tmp_path]).get("normal_user").version == "9.9.9"


def test_cycle_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a", "name: a\nextends: b\n")
    write(tmp_path, "b", "name: b\nextends: a\n")
    with pytest.raises(ValidationError, match="inheritance cycle: a -> b -> a"):
        PersonaCatalog([tmp_path]).get("a")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "behaviors:\n  typos:\n    rate: 1.5\n",
            "bad.yaml:5:5: behaviors.typos.rate: Input should be less than or equal to 1",
        ),
        (
            "behaviors:\n  typoz: {rate: 0.1}\n",
            "bad.yaml:4:3: behaviors.typoz: unknown behaviour kind 'typoz'. Did you mean 'typos'?",
        ),
        (
            "behaviors:\n  timing:\n    rate_per_secnd: 3\n",
            "bad.yaml:5:5: behaviors.timing.rate_per_secnd: unknown field",
        ),
        (
            "behaviors:\n  timing:\n    latency_ms: {dist: lognormal, median: -1, sigma: 1}\n",
            "bad.yaml:5:35: behaviors.timing.latency_ms.median: Input should be greater than 0",
        ),
        (
            "behaviors:\n  oops:\n    kind: errors\n    statuses: {200: 1}\n",
            "behaviors.oops.statuses: status 200 is not an HTTP error status",
        ),
        ("behaviours: {}\n", "bad.yaml:3:1: behaviours: unknown field"),
        (
            "behaviors:\n  deprecated_formats:\n    file_delimiter: '\"'\n",
            "file_delimiter: '\"' cannot be a CSV delimiter",
        ),
        (
            "behaviors:\n  deprecated_formats:\n    file_delimiter: '€'\n",
            "bad.yaml:5:5: behaviors.deprecated_formats.file_delimiter: '€' cannot be written "
            "in file_encoding 'latin-1'",
        ),
        (
            "behaviors:\n  deprecated_formats:\n    file_delimiter: '§'\n"
            "    file_encoding: ascii\n",
            "file_delimiter: '§' cannot be written in file_encoding 'ascii'",
        ),
        (
            "behaviors:\n  deprecated_formats:\n    file_encoding: base64\n",
            "file_encoding: unknown text encoding 'base64'",
        ),
        (
            "behaviors:\n  deprecated_formats:\n    file_encoding: idna\n",
            "file_encoding: 'idna' cannot write a CSV file",
        ),
        (
            "behaviors:\n  deprecated_formats:\n    file_encoding: undefined\n",
            "file_encoding: 'undefined' cannot write a CSV file",
        ),
        (
            "behaviors:\n  timing: {rate_per_second: .nan}\n",
            "bad.yaml:4:12: behaviors.timing.rate_per_second: not a number (.nan); give a "
            "finite number",
        ),
        (
            "behaviors:\n  typos: {rate: .NaN}\n",
            "bad.yaml:4:11: behaviors.typos.rate: not a number (.nan)",
        ),
        (
            "behaviors:\n  timing: {latency_ms: .inf}\n",
            "bad.yaml:4:12: behaviors.timing.latency_ms: infinite (.inf); give a finite number",
        ),
        (
            "behaviors:\n  timing:\n    think_time_ms: {dist: normal, mean: -.inf, std: 1}\n",
            "bad.yaml:5:35: behaviors.timing.think_time_ms.mean: infinite (-.inf)",
        ),
        (
            "behaviors:\n  errors: {statuses: {500: .nan}}\n",
            "behaviors.errors.statuses[500]: not a number (.nan)",
        ),
        (
            "behaviors:\n  foo:\n    kind: null\n",
            "bad.yaml:5:5: behaviors.foo.kind: must name a behaviour kind, got null (leave "
            "'kind' out and the block name 'foo' is the kind)",
        ),
        (  # (a rule in words, not pydantic's "String should match pattern '^v\d+$'")
            "behaviors:\n  deprecated_formats: {api_version: '2'}\n",
            "bad.yaml:4:24: behaviors.deprecated_formats.api_version: an API version is 'v' "
            "and a number, such as v2: '2'",
        ),
        (
            "population: {id_prefix: ABC}\n",
            "bad.yaml:3:14: population.id_prefix: an id prefix is 1 to 16 lower-case letters, "
            "digits, underscores and hyphens, starting with a letter: 'ABC'",
        ),
        (
            "behaviors:\n  errors:\n    statuses: {500: 1, abc: 1}\n",
            "bad.yaml:5:24: behaviors.errors.statuses.abc: invalid key: Input should be a valid "
            "integer",
        ),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, body: str, expected: str) -> None:
    write(tmp_path, "bad", "name: bad\nversion: 1.0.0\n" + body)
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert expected in str(info.value).replace(str(tmp_path) + "/", "")


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "bad",
        """\
        name: bad
        version: one
        behaviors:
          typos: {rate: 2}
          unicode: {rate: -1}
        """,
    )
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    # The behaviour blocks are checked too, though the file already failed at 'version'.
    assert [p.path for p in info.value.problems] == [
        "version",
        "behaviors.typos.rate",
        "behaviors.unicode.rate",
    ]


@pytest.mark.parametrize("name", ["Normal-User", "normal-user", "1st", "ab\n"])
def test_a_name_against_the_naming_rule_says_the_rule_in_words(tmp_path: Path, name: str) -> None:
    write(tmp_path, "bad", f"name: {json.dumps(name)}\n")  # (a YAML string too)
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert str(info.value).replace(f"{tmp_path}/", "") == (
        "bad.yaml:1:1: name: a persona name is lower-case letters, digits and underscores, "
        f"starting with a letter: {name!r}"
    )


def test_name_must_match_file(tmp_path: Path) -> None:
    write(tmp_path, "alpha", "name: beta\n")
    with pytest.raises(ValidationError, match="must match the file name 'alpha'"):
        PersonaCatalog([tmp_path]).get("alpha")


def test_unknown_parent(tmp_path: Path) -> None:
    write(tmp_path, "kid", "name: kid\nextends: [normal_usr]\n")
    with pytest.raises(ValidationError, match="Did you mean 'normal_user'"):
        PersonaCatalog([tmp_path]).get("kid")


_TWICE = "extends[1]: parent persona 'normal_user' is named twice; name each parent once"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("extends: [normal_user, normal_user]\n", f"kid.yaml:2:24: {_TWICE}"),
        (  # (also when the file is wrong elsewhere: every problem at once)
            "version: x\nextends:\n  - normal_user\n  - normal_user\n",
            "kid.yaml:2:1: version: must be a semantic version such as 1.2.0\n"
            f"kid.yaml:5:5: {_TWICE}",
        ),
    ],
)
def test_a_parent_named_twice_is_refused_at_the_repeated_name(
    tmp_path: Path, body: str, expected: str
) -> None:
    write(tmp_path, "kid", "name: kid\n" + body)
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("kid")
    assert str(info.value).replace(f"{tmp_path}/", "") == expected


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("name: b\nversion: 1.0\n", "persona", "1.0"),
        ("name: b\nversion: 2\npersonas: [normal_user]\ndatasets: [{type: api}]\n", "profile", "2"),
    ],
)
def test_a_version_yaml_reads_as_a_number_is_said_to_be_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, kind: str, expected: str
) -> None:
    """`version: 1.0` is a YAML number: not pydantic's bare "Input should be a valid string"."""
    result = validate_text(tmp_path, monkeypatch, text, kind)
    assert result.code == 1
    assert result.stderr == (
        "persona-gen: error: b.yaml:2:1: version: must be a semantic version such as 1.2.0, "
        f"not the number {expected}\n"
    )


def test_unknown_persona_suggests() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'noisy_device'"):
        PersonaCatalog().get("noisy_devices")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_fuzzed_persona_text_only_raises_our_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "fuzz.yaml").write_text("name: fuzz\n" + text)
    with contextlib.suppress(PersonaGenError):
        PersonaCatalog([directory]).get("fuzz")


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(BEHAVIOURS.names()),
        st.dictionaries(
            st.sampled_from(["rate", "kind", "limit", "sigma", "intensity", "users", "dist"]),
            st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=5), st.none()),
        ),
        max_size=4,
    )
)
def test_fuzzed_behaviour_params_only_raise_our_errors(
    tmp_path_factory: pytest.TempPathFactory, blocks: dict[str, object]
) -> None:
    import yaml

    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "fuzz.yaml").write_text(yaml.safe_dump({"name": "fuzz", "behaviors": blocks}))
    with contextlib.suppress(PersonaGenError):
        PersonaCatalog([directory]).get("fuzz")


def _sessions_one_by_one(
    slots: int, blocks: list[np.ndarray], lengths: list[list[int]], actors: list[list[int]]
) -> list[tuple[list[int], list[int], list[int], list[bool]]]:
    """The per-event walk the engine's session layout must equal, over consecutive blocks:
    each slot's events, in order, go to the slot's session until its drawn length is used
    up (also across blocks); then a new one begins, with the block's next drawn length and
    actor (taken in turn, slot after slot)."""
    session, actor, position, remaining = ([0] * slots for _ in range(4))
    out = []
    for b, slot in enumerate(blocks):
        n, started = slot.size, 0
        got: tuple[list[int], list[int], list[int], list[bool]] = (
            [0] * n,
            [0] * n,
            [0] * n,
            [False] * n,
        )
        for s in range(slots):
            for e in np.flatnonzero(slot == s).tolist():
                if not remaining[s]:
                    session[s], actor[s] = b * n + started, actors[b][started]
                    position[s], remaining[s] = 0, lengths[b][started]
                    started += 1
                got[0][e], got[1][e], got[2][e] = session[s], actor[s], position[s]
                position[s] += 1
                remaining[s] -= 1
                got[3][e] = not remaining[s]
        out.append(got)
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 30),
    st.integers(1, 120),
    st.integers(1, 5),
    st.integers(0, 2**32 - 1),
)
def test_sessions_are_the_per_event_walk_across_blocks(
    slots: int, longest: int, n: int, count: int, seed: int
) -> None:
    # Sessions go on from block to block: a session is as long as drawn, not cut by the
    # block's end (noisy_device's sessions, declared 40 events, averaged 4.7).
    clock = SimpleNamespace(
        session_length=SimpleNamespace(sample=_uniform_lengths(longest)),
        concurrent_sessions=lambda: slots,
        users=50,
    )
    blocks, lengths, actors, layouts = [], [], [], []
    state: SlotState | None = None
    for b in range(count):
        rng = np.random.default_rng([seed, b])
        replay = np.random.default_rng([seed, b])  # (the same draws, in lay_out's order)
        blocks.append(replay.integers(0, slots, n))
        lengths.append(np.maximum(1, _uniform_lengths(longest)(replay, n).astype(int)).tolist())
        actors.append(replay.integers(0, 50, n).tolist())
        cheap = advance(clock, np.random.default_rng([seed, b]), b, n, state)  # type: ignore[arg-type]
        layout = lay_out(clock, rng, b, n, state)  # type: ignore[arg-type]
        layouts.append(layout)
        state = layout.after
        # (the state alone, as a block made alone rebuilds it, is the layout's)
        assert cheap.lists() == state.lists()
    expected = _sessions_one_by_one(slots, blocks, lengths, actors)
    first_time: dict[int, int] = {}
    for b, (layout, (session, actor, position, last)) in enumerate(
        zip(layouts, expected, strict=True)
    ):
        assert layout.session.tolist() == session
        assert layout.actor.tolist() == actor
        assert layout.position.tolist() == position
        assert layout.last.tolist() == last
        starts = layout.start.tolist()
        for e, (s, t, p) in enumerate(zip(session, starts, position, strict=True)):
            if p == 0:
                first_time[s] = b * n + e
            assert t == first_time[s]  # (its first event's number, in whichever block)


def _uniform_lengths(longest: int) -> Any:
    return lambda rng, n: rng.integers(0, longest + 1, n).astype(np.float64)


# -- time spans (durations) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "timing:\n    latency_ms: {dist: uniform, low: 1, high: 9, clip_min: 8, clip_max: 2}",
            "behaviors.timing.latency_ms: clip_min (8) must not be above clip_max (2)",
        ),
        (
            "session:\n    length: {dist: poisson, mean: 5, clip_min: 3, clip_max: 2}",
            "behaviors.session.length: clip_min (3) must not be above clip_max (2)",
        ),
        (
            "timing:\n    latency_ms: {dist: normal, mean: -100, std: 10}",
            "behaviors.timing.latency_ms: the mean (-100 ms) is negative",
        ),
        (
            "delayed_transmission:\n    delay_ms: -100000",
            "behaviors.delayed_transmission.delay_ms: the value (-100000 ms) is negative",
        ),
        (
            "retry_storms:\n    backoff_ms: {dist: normal, mean: 100, std: 10, clip_min: -5}",
            "behaviors.retry_storms.backoff_ms: clip_min (-5) must be >= 0",
        ),
        (
            "delayed_transmission:\n    delay_ms: 1000000000000000",
            "behaviors.delayed_transmission.delay_ms: the value (1e+15 ms) is "
            "above 31536000000 ms (365 days)",
        ),
        (
            "rapid_actions:\n    gap_ms: {dist: lognormal, median: 1000000000000, sigma: 5}",
            "behaviors.rapid_actions.gap_ms: the mean (2.68337e+17 ms) is above",
        ),
        (
            "slow_processing:\n    timeout_ms: 1e12",
            "behaviors.slow_processing.timeout_ms: Input should be less than or equal to "
            "31536000000",
        ),
        # a slow-down whose think times overflowed to infinity (written as null)
        (
            "slow_processing:\n    factor: 1.0e+308",
            "bad.yaml:4:5: behaviors.slow_processing.factor: the value (1e+308) is above 1000, "
            "the largest slow-down factor",
        ),
        (
            "slow_processing:\n    factor: {dist: uniform, low: 1, high: 1.0e+300}",
            "behaviors.slow_processing.factor: the mean (5e+299) is above 1000",
        ),
    ],
)
def test_impossible_time_spans_are_refused(tmp_path: Path, block: str, expected: str) -> None:
    write(tmp_path, "bad", f"name: bad\nbehaviors:\n  {block}\n")
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert expected in str(info.value)


def _engine(directory: Path, name: str, body: str, seed: int = 5) -> Any:
    from persona_gen.personas.engine import PersonaEngine

    write(directory, name, f"name: {name}\n{textwrap.dedent(body)}")
    return PersonaEngine(PersonaCatalog([directory]).get(name), seed, "test", 1_735_689_600_000)


def test_time_spans_are_never_negative(tmp_path: Path) -> None:
    # Normal and uniform draws reach below 0; the time spans they give never do.
    engine = _engine(
        tmp_path,
        "neg_tails",
        """\
        behaviors:
          timing:
            think_time_ms: {dist: normal, mean: 100, std: 500}
            latency_ms: {dist: normal, mean: 10, std: 20}
          delayed_transmission:
            rate: 1
            delay_ms: {dist: uniform, low: -1000, high: 1500}
          retry_storms:
            rate: 0.2
            backoff_ms: {dist: normal, mean: 5, std: 50}
          rapid_actions:
            rate: 0.2
            gap_ms: {dist: choice, values: [-50, 100]}
        """,
    )
    for block in range(4):
        trace = engine.trace(block)
        assert trace.latency_ms.min() >= 0
        assert trace.think_ms.min() >= 0
        assert trace.delivery_ms.min() >= 0  # no event arrives before it happened
        assert (trace.latency_ms == 0).any()  # the tail was there, and clipped


def test_slow_processing_keeps_think_times_finite_time_spans(tmp_path: Path) -> None:
    from persona_gen.distributions import MAX_DURATION_MS

    engine = _engine(
        tmp_path,
        "glacial_client",
        """\
        behaviors:
          timing:
            think_time_ms: {dist: uniform, low: 0, high: 1.0e+10}
          slow_processing:
            factor: {dist: normal, mean: 900, std: 1.0e+300}
        """,
    )
    trace = engine.trace(0)
    assert np.isfinite(trace.think_ms).all() and np.isfinite(trace.latency_ms).all()
    assert trace.think_ms.max() == MAX_DURATION_MS


def test_slow_processing_leaves_transport_failures_latencies_alone(tmp_path: Path) -> None:
    # A transport failure got no reply to be slow: a read timeout waits the client's
    # 30 000 ms, a reset or refusal 1-50 ms, whatever slow_processing's factor and timeout.
    engine = _engine(
        tmp_path,
        "slow_and_cut",
        """\
        behaviors:
          connection_issues: {rate: 0.5}
          slow_processing:
            factor: {dist: constant, value: 2}
            timeout_ms: 100000
        """,
    )
    trace = engine.trace(0)
    failure = trace.detail("failure")
    cut = trace.status == -1
    read_timeout = cut & (failure == "read_timeout")
    assert read_timeout.any() and (cut & ~read_timeout).any()
    assert (trace.latency_ms[read_timeout] == 30000).all()
    others = trace.latency_ms[cut & ~read_timeout]
    assert others.min() >= 1 and others.max() <= 50


def test_minimal_latency_delivery_is_never_negative(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "fast",
        "behaviors:\n  minimal_latency: {latency_ms: {dist: normal, mean: 1, std: 5}}\n",
    )
    trace = engine.trace(0)
    assert trace.delivery_ms.min() >= 0 and trace.latency_ms.min() >= 0


def test_batches_leave_when_their_latest_event_happened() -> None:
    from persona_gen.personas.behaviours.batch_operations import (
        BatchOperations,
        BatchOperationsParams,
    )

    trace = Trace.blank(0, 16, 0)
    trace.t_ms[:] = [5000, 1000, 9000, 3000] * 4  # times an earlier behaviour moved
    batch = BatchOperations("batch", BatchOperationsParams(rate=1, events_per_batch=4))
    batch.apply(trace, np.random.default_rng(0))
    assert (trace.delivery_ms >= 0).all()
    assert (trace.t_ms + trace.delivery_ms == 9000).all()


def test_a_timeline_past_year_9999_is_refused(tmp_path: Path) -> None:
    from persona_gen.errors import GenerationError

    engine = _engine(tmp_path, "glacial", "behaviors:\n  timing: {rate_per_second: 1e-7}\n")
    engine.trace(0)  # 2025 + 324 years: fine
    with pytest.raises(GenerationError, match=r"after 9999-12-31T23:59:59\.999Z"):
        engine.trace(30)


@pytest.mark.parametrize("kind", ["timing", "sustained_load"])
def test_a_rate_so_low_the_block_span_is_infinite_is_refused(tmp_path: Path, kind: str) -> None:
    """At 1e-308 events a second a block spans infinite time: block 0 starts at 0 * inf, NaN,
    which passed the year-9999 check and was a numpy cast warning, then an OverflowError
    traceback (found by the hypothesis test below)."""
    from persona_gen.errors import GenerationError

    engine = _engine(tmp_path, "frozen", f"behaviors:\n  {kind}: {{rate_per_second: 1e-308}}\n")
    with pytest.raises(GenerationError, match=r"events from number 0 on would happen after 9999"):
        engine.trace(0)


def test_the_year_9999_refusal_names_the_block_that_set_the_rate(tmp_path: Path) -> None:
    """It said 'timing.rate_per_second' also where a sustained_load block set the rate."""
    from persona_gen.errors import GenerationError

    engine = _engine(
        tmp_path,
        "glacial",
        "behaviors:\n  timing: {}\n  steady: {kind: sustained_load, rate_per_second: 1e-7}\n",
    )
    with pytest.raises(GenerationError, match=r"rate \(behaviors\.steady\.rate_per_second\)$"):
        engine.trace(30)


def test_the_year_9999_refusal_names_the_behaviour_whose_delays_took_events_past(
    tmp_path: Path,
) -> None:
    """A year's delivery delay from 9999-12-01 said the events "from number 0 on would happen
    after" the limit and to raise the event rate: the events were in time, the delay was
    not."""
    from persona_gen.errors import GenerationError
    from persona_gen.personas.engine import PersonaEngine

    write(
        tmp_path,
        "late",
        "name: late\nbehaviors:\n  delayed_transmission: {rate: 1, delay_ms: 31536000000}\n",
    )
    december = 253_399_622_400_000  # 9999-12-01T00:00:00Z
    engine = PersonaEngine(PersonaCatalog([tmp_path]).get("late"), 5, "test", december)
    with pytest.raises(GenerationError) as caught:
        engine.trace(0)
    assert str(caught.value) == (
        "persona 'late': behaviors.delayed_transmission moves events (of those from number 0 "
        "on) past 9999-12-31T23:59:59.999Z, the last time an RFC 3339 timestamp can show; "
        "start earlier (--start), generate fewer records or shorten its delays "
        "(behaviors.delayed_transmission)"
    )


def test_timestamps_stay_four_digit_years_at_the_longest_delays(tmp_path: Path) -> None:
    from persona_gen.distributions import MAX_DURATION_MS
    from persona_gen.personas.engine import LAST_TIMESTAMP_MS

    engine = _engine(
        tmp_path,
        "slow_mail",
        f"""\
        behaviors:
          delayed_transmission: {{rate: 1, delay_ms: {MAX_DURATION_MS}}}
          rapid_actions: {{rate: 1, actions: 1000, gap_ms: {MAX_DURATION_MS}}}
        """,
    )
    trace = engine.trace(0)
    assert int((trace.t_ms + trace.delivery_ms).max()) <= LAST_TIMESTAMP_MS


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "rate_limits: {limit: 1, window_s: 0.000001}",
            "behaviors.rate_limits.window_s: Input should be greater than or equal to 0.001",
        ),
        (
            "rate_limits: {limit: 1, window_s: 1.0e+300}",
            "behaviors.rate_limits.window_s: Input should be less than or equal to 31536000",
        ),
        (
            "intermittent_connectivity: {window_s: 1.0e-300}",
            "behaviors.intermittent_connectivity.window_s: Input should be greater than or "
            "equal to 0.001",
        ),
    ],
)
def test_windows_shorter_than_a_millisecond_are_refused(
    tmp_path: Path, block: str, expected: str
) -> None:
    write(tmp_path, "bad", f"name: bad\nbehaviors:\n  {block}\n")
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert expected in str(info.value)


def test_the_shortest_windows_count_quotas_without_numpy_warnings(tmp_path: Path) -> None:
    # (pytest turns any NumPy RuntimeWarning into an error: none may reach stderr)
    engine = _engine(
        tmp_path,
        "quick_windows",
        """\
        behaviors:
          rate_limits: {limit: 1, window_s: 0.001}
          intermittent_connectivity: {offline_share: 0.5, window_s: 0.001}
        """,
    )
    trace = engine.trace(0)
    # 1 event per second: two events of one actor never share a millisecond window
    assert (trace.status != 429).all()


def test_a_disabled_block_with_a_null_kind_is_not_checked(tmp_path: Path) -> None:
    write(tmp_path, "idle", "name: idle\nbehaviors:\n  foo: {kind: null, enabled: false}\n")
    assert PersonaCatalog([tmp_path]).get("idle").behaviours == ()


def test_a_broken_link_in_a_persona_directory_says_so(tmp_path: Path) -> None:
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere" / "x.yaml")
    with pytest.raises(PersonaGenError) as info:
        PersonaCatalog([tmp_path]).get("dangling")
    assert str(info.value) == (
        f"{tmp_path}/dangling.yaml: broken symbolic link to '{tmp_path}/nowhere/x.yaml'"
    )


def test_validating_a_profile_as_a_persona_points_at_t_profile() -> None:
    from tests.helpers import run_cli

    result = run_cli(["validate", str(ROOT / "profiles" / "api_testing.yaml"), "-t", "persona"])
    assert result.code == 1
    first = result.stderr.splitlines()[0]
    assert "this looks like a profile, not a persona (it has 'personas' and 'datasets')" in first
    assert first.endswith("api_testing.yaml -t profile'")


@pytest.mark.parametrize("block", ["timing", "session"])
def test_an_empty_block_gives_the_timeline_of_no_block(tmp_path: Path, block: str) -> None:
    # Review B #22: `timing: {}` ran at 2 events/s, no timing block at 1/s.
    # (one name for both: the random streams derive from the persona's name)
    (tmp_path / "bare").mkdir()
    (tmp_path / "empty").mkdir()
    bare = _engine(tmp_path / "bare", "plain", "behaviors: {}\n")
    empty = _engine(tmp_path / "empty", "plain", f"behaviors:\n  {block}: {{}}\n")
    assert empty.clock == bare.clock
    for b in (0, 3):
        one, other = bare.trace(b), empty.trace(b)
        for column in ("t_ms", "actor", "session", "think_ms", "latency_ms", "delivery_ms"):
            assert getattr(one, column).tolist() == getattr(other, column).tolist(), column


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('""', "must not be empty"),
        ('"%Q%"', "'%Q' is not a strftime directive"),
        ('"%Y-%m-%"', "ends with a lone '%'"),
        ('"%e.%m.%Y"', "'%e' is not a strftime directive"),
        ('"today"', "has no date directive"),
        ('"100%%"', "has no date directive"),
    ],
)
def test_date_formats_that_write_no_date_are_refused(
    tmp_path: Path, value: str, expected: str
) -> None:
    write(
        tmp_path, "bad", f"name: bad\nbehaviors:\n  deprecated_formats: {{date_format: {value}}}\n"
    )
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert f"behaviors.deprecated_formats.date_format: {expected}" in str(info.value)


def test_date_formats_with_directives_and_percent_signs_are_accepted(tmp_path: Path) -> None:
    write(
        tmp_path,
        "fine",
        """\
        name: fine
        behaviors:
          deprecated_formats: {date_format: "%d.%m.%Y %H:%M (100%%)", date_only_format: "%G-W%V-%u"}
        """,
    )
    params = PersonaCatalog([tmp_path]).get("fine").behaviours[0].params
    assert params.date_only_format == "%G-W%V-%u"


def test_yaml_merge_keys_share_parameters(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    text = "a: &base {x: 1, y: {z: 2}}\nb:\n  <<: *base\n  x: 3\nc:\n  <<: [{x: 5}, *base]\n"
    located = parse_yaml(text, "m.yaml")
    assert located.data["b"] == {"x": 3, "y": {"z": 2}}
    assert located.data["c"] == {"x": 5, "y": {"z": 2}}
    assert located.where(("b", "x")) == (4, 3)  # its own line
    assert located.where(("b", "y", "z")) == (1, 21)  # where the merged value is written
    persona = tmp_path / "merged.yaml"
    persona.write_text(
        "name: merged\nbehaviors:\n  typos:\n    <<: {rate: 0.1}\n    max_edits: 2\n"
    )
    for command in (
        ["validate", str(persona)],
        ["list-personas", "-p", str(tmp_path)],
        ["quick", "merged", "-p", str(tmp_path), "-t", "api", "-n", "2", "-s", "1"],
    ):
        result = run_cli(command)
        assert result.code == 0, result.stderr
        assert "Traceback" not in result.stderr
    persona.write_text("name: merged\nbehaviors:\n  typos:\n    <<: 5\n")
    result = run_cli(["validate", str(persona)])
    assert result.code == 1
    assert "merged.yaml:4: behaviors.typos: a merge key (<<) takes a mapping" in result.stderr
    persona.write_text(
        "name: merged\nbehaviors:\n  typos: &t {rate: 7}\n  more_typos: {<<: *t, kind: typos}\n"
    )
    result = run_cli(["validate", str(persona)])
    assert result.code == 1
    assert "merged.yaml:3:14: behaviors.more_typos.rate: Input should be less" in result.stderr


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        (
            "name: b\nbehaviours:\n  typos: {rate: 0.1}\n",
            "persona",
            "b.yaml:2:1: behaviours: unknown field. Did you mean 'behaviors'?",
        ),
        (
            "name: b\nbehaviors:\n  typos: {rat: 0.1}\n",
            "persona",
            "b.yaml:3:11: behaviors.typos.rat: unknown field. Did you mean 'rate'?",
        ),
        (  # a distribution's parameter: its own fields, not the wrapper's `root`
            "name: b\nbehaviors:\n  timing:\n"
            "    latency_ms: {dist: lognormal, medain: 120, sigma: 0.5, clip_mn: 1}\n",
            "persona",
            "b.yaml:4:35: behaviors.timing.latency_ms.medain: unknown field. "
            "Did you mean 'median'?\n"
            "b.yaml:4:60: behaviors.timing.latency_ms.clip_mn: unknown field. "
            "Did you mean 'clip_min'?",
        ),
        (
            "name: b\nbehaviors:\n  session:\n    length: {dist: uniform, low: 1, high: 5, x: 1}\n",
            "persona",
            "b.yaml:4:46: behaviors.session.length.x: unknown field "
            "(known: dist, low, high, clip_min, clip_max)",
        ),
        (
            "name: b\npersonas: [normal_user]\ndatset: []\ndatasets: [{type: api, coutn: 3}]\n",
            "profile",
            "b.yaml:4:24: datasets[0].coutn: unknown field. Did you mean 'count'?\n"
            "b.yaml:3:1: datset: unknown field. Did you mean 'datasets'?",
        ),
        (
            "name: b\npopulation: {kind: user}\nbehaviors:\n  typos: {}\n",
            "profile",
            "b.yaml:2:1: this looks like a persona, not a profile (it has 'population' and "
            "'behaviors'): check it with 'persona-gen validate b.yaml'",
        ),
    ],
)
def test_a_misspelt_field_names_the_closest_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, kind: str, message: str
) -> None:
    result = validate_text(tmp_path, monkeypatch, text, kind)
    assert result.code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "unicode: {classes: [emoji, klingon]}",
            "b.yaml:3:13: behaviors.unicode.classes: unknown 'klingon'; choose from emoji, cjk, "
            "rtl, combining, zero_width, homoglyph, astral, accents",
        ),
        (
            "session_anomalies: {kinds: [expired_token, expird_token]}",
            "b.yaml:3:23: behaviors.session_anomalies.kinds: unknown 'expird_token' (did you "
            "mean 'expired_token'?); choose from expired_token, reused_session, "
            "missing_session, out_of_order, concurrent_login",
        ),
        (
            "unicode: {classes: []}",
            "b.yaml:3:13: behaviors.unicode.classes: name at least one; choose from emoji, cjk, "
            "rtl, combining, zero_width, homoglyph, astral, accents",
        ),
        (  # (a misspelt method used to be accepted and then never matched a request)
            "limited_features: {unsupported_methods: [delete, PACTH, FETCH]}",
            "b.yaml:3:22: behaviors.limited_features.unsupported_methods: unknown 'PACTH' (did "
            "you mean 'PATCH'?), 'FETCH' (did you mean 'PATCH'?); use GET, PUT, POST, DELETE, "
            "OPTIONS, HEAD, PATCH, TRACE (any case)",
        ),
        (
            "connection_issues: {kinds: {reset: 1, dns_failur: 1}}",
            "b.yaml:3:23: behaviors.connection_issues.kinds: unknown 'reset', 'dns_failur' (did "
            "you mean 'dns_failure'?); use connection_reset, connection_refused, "
            "tls_handshake_failed, dns_failure, read_timeout",
        ),
    ],
)
def test_an_unknown_choice_in_a_list_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: str, message: str
) -> None:
    """Not only "choose from ..." (or a Python set's repr): which item, and the closest."""
    result = validate_text(tmp_path, monkeypatch, f"name: b\nbehaviors:\n  {block}\n")
    assert result.code == 1
    assert result.stderr == f"persona-gen: error: {message}\n"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "{mean: 3}",
            "b.yaml:4:5: behaviors.session.length: a distribution needs 'dist:' (constant, "
            "uniform, normal, lognormal, exponential, gamma, poisson, geometric, choice), or "
            "write a plain number",
        ),
        (
            "{dsit: geometric, mean: 3}",
            "b.yaml:4:5: behaviors.session.length: a distribution needs 'dist:' (constant, "
            "uniform, normal, lognormal, exponential, gamma, poisson, geometric, choice), or "
            "write a plain number; 'dsit' is no parameter: did you mean 'dist'?",
        ),
    ],
)
def test_a_distribution_without_dist_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    """Not pydantic's "Unable to extract tag using discriminator 'dist'"."""
    text = f"name: b\nbehaviors:\n  session:\n    length: {value}\n"
    result = validate_text(tmp_path, monkeypatch, text)
    assert result.code == 1
    assert result.stderr == f"persona-gen: error: {message}\n"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("!!python/name:os.system", "could not determine a constructor for the tag"),
        ("!custom x", "could not determine a constructor for the tag '!custom'"),
        ("!!int abc", "invalid literal for int()"),
    ],
)
def test_a_yaml_value_that_cannot_be_read_is_one_clear_error(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_yaml(f"name: t\ndescription: {value}\n", "t.yaml")
    assert str(caught.value).startswith(f"t.yaml:2: description: cannot read this value: {reason}")


def test_validate_warns_about_a_timeline_setting_a_later_block_overrides(tmp_path: Path) -> None:
    """``timing`` and ``sustained_load`` both set the event rate; the later block wins, so
    the earlier rate is dead: validate says so (and still accepts the file)."""
    persona = tmp_path / "ordered.yaml"
    persona.write_text(
        "name: ordered\nversion: 1.0.0\nbehaviors:\n"
        "  timing:\n    rate_per_second: 2\n    think_time_ms: {dist: constant, value: 100}\n"
        "  sustained_load:\n    rate_per_second: 200\n"
    )
    result = run_cli(["validate", str(persona)])
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2, result.stderr
    assert "ordered.yaml:4:3: behaviors.timing: its event rate has no effect" in warnings[0]
    # (timing's gap variation is its default, 1, but sustained_load's regularity replaces it)
    assert "behaviors.timing: its gap variation has no effect" in warnings[1]
    assert "think time" not in result.stderr  # (sustained_load sets no think time)
    alone = tmp_path / "alone.yaml"
    alone.write_text("name: alone\nversion: 1.0.0\nbehaviors:\n  sustained_load: {}\n")
    assert "warning" not in run_cli(["validate", str(alone)]).stderr


def test_a_later_block_that_names_no_setting_still_overrides_it_and_validate_says_so(
    tmp_path: Path,
) -> None:
    # ``timing: {}`` writes its defaults: after sustained_load it set the rate back to 1/s
    # and the latency to 120 ms, and validate said nothing (its values were the defaults).
    persona = tmp_path / "reset.yaml"
    persona.write_text(
        "name: reset\nversion: 1.0.0\nbehaviors:\n"
        "  sustained_load: {rate_per_second: 500}\n  minimal_latency: {}\n  timing: {}\n"
    )
    result = run_cli(["validate", str(persona)])
    assert result.code == 0, result.stderr
    said = {
        (line.split(": ")[3], line.split("its ")[1].split(" has")[0])
        for line in result.stderr.splitlines()
        if "warning" in line
    }
    assert said == {
        ("behaviors.sustained_load", "event rate"),
        ("behaviors.sustained_load", "gap variation"),
        ("behaviors.minimal_latency", "think time"),
        ("behaviors.minimal_latency", "latency"),
    }, result.stderr
    assert "to its default where it does not name it" in result.stderr


def test_reading_yaml_without_merge_keys_forgets_no_positions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replacing a merged value's positions scans every position read so far: done for each
    key of a large imported profile (Renovate's: ~165,000 values), that made reading it take
    hours. Only a key a merge brought in has positions to replace."""
    import persona_gen._yaml as yaml_module

    calls: list[Any] = []
    forget = yaml_module._forget
    monkeypatch.setattr(yaml_module, "_forget", lambda *a: calls.append(a) or forget(*a))
    text = "root:\n" + "".join(f"  k{i}: {{a: {i}, b: [x, y]}}\n" for i in range(500))
    located = parse_yaml(text, "big.yaml")
    assert len(located.data["root"]) == 500 and not calls
    merged = parse_yaml("base: &b {a: 1, c: 2}\nuse:\n  <<: *b\n  a: 3\n", "m.yaml")
    assert merged.data["use"] == {"a": 3, "c": 2} and len(calls) == 1
    assert merged.where(("use", "a")) == (4, 3)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "burst_traffic:\n    burst_events: {dist: exponential, mean: 1e308}",
            "bad.yaml:4:5: behaviors.burst_traffic.burst_events: the mean (1e+308) is above "
            "1000000, the largest count",
        ),
        (
            "burst_traffic:\n    burst_events: {dist: uniform, low: 0, high: 1e308}",
            "behaviors.burst_traffic.burst_events: the mean (5e+307) is above 1000000",
        ),
        (
            "b1: {kind: rapid_actions, actions: {dist: exponential, mean: 1e308}}",
            "behaviors.b1.actions: the mean (1e+308) is above 1000000",
        ),
        (
            "b1: {kind: concurrent_requests, concurrency: 1.0e+308}",
            "behaviors.b1.concurrency: the value (1e+308) is above 1000000",
        ),
        (
            "retry_storms: {retries: {dist: poisson, mean: 1e308}}",
            "behaviors.retry_storms.retries: the mean (1e+308) is above 1000000",
        ),
        (
            "batch_operations: {batch_size: {dist: uniform, low: -1e308, high: 1e308}}",
            "behaviors.batch_operations.batch_size: high - low (1e+308 - -1e+308) must be a "
            "finite number",
        ),
        (
            "errors: {statuses: {500: 1e308, 503: 1e308}}",
            "behaviors.errors.statuses: weights must add up to a finite number",
        ),
        (
            "connection_issues: {kinds: {dns_failure: 1e308, read_timeout: 1e308}}",
            "behaviors.connection_issues.kinds: weights must add up to a finite number",
        ),
        (
            "timing: {think_time_ms: {dist: choice, values: [1, 2], weights: [1e308, 1e308]}}",
            "weights must add up to a finite number",
        ),
        (
            "timing: {arrival_cv: 1e-308}",
            "behaviors.timing.arrival_cv: Input should be greater than or equal to 0.001",
        ),
        (
            "sustained_load: {regularity_cv: 1e-308}",
            "behaviors.sustained_load.regularity_cv: Input should be greater than or equal to "
            "0.001",
        ),
        (
            "timing: {latency_ms: {dist: gamma, mean: 5, cv: 1e-308}}",
            "behaviors.timing.latency_ms.cv: Input should be greater than or equal to 0.001",
        ),
        (
            "rate_limits: {limit: 1000000000000000000000000000000}",
            "behaviors.rate_limits.limit: Input should be less than or equal to 1000000000",
        ),
    ],
)
def test_parameters_generation_could_not_draw_are_refused(
    tmp_path: Path, block: str, expected: str
) -> None:
    """Values that validated but crashed generation (an infinite count, weights adding up to
    infinity, a CV of 1e-308 dividing by zero) are refused where they are written."""
    write(tmp_path, "bad", f"name: bad\nbehaviors:\n  {block}\n")
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert expected in str(info.value)


def test_wide_count_draws_are_clipped_and_wide_integers_hashed(tmp_path: Path) -> None:
    """A count distribution whose mean is fine but whose draws are not (a normal with std
    1e308) gives counts of at most a million; an integer wider than 64 bits where a number is
    read (clip_max) no longer breaks the persona's content hash."""
    write(
        tmp_path,
        "wide",
        "name: wide\nbehaviors:\n"
        "  rapid_actions: {rate: 0.5, actions: {dist: normal, mean: 0, std: 1e308}}\n"
        "  burst_traffic: {burst_events: {dist: uniform, low: 1, high: 5,"
        " clip_max: 1000000000000000000000000000000}}\n",
    )
    for generator in GENERATORS:
        assert len(records("wide", generator, 50, catalog=PersonaCatalog([tmp_path]))) == 50


_EXTREMES = st.sampled_from([1e308, -1e308, 1e-308, 5e-324, 10**30, 10**18, 0, -1, 0.5, 3])
_EXTREME_DISTS = st.one_of(
    _EXTREMES,
    st.fixed_dictionaries(
        {"dist": st.sampled_from(["exponential", "poisson", "geometric"]), "mean": _EXTREMES}
    ),
    st.fixed_dictionaries({"dist": st.just("uniform"), "low": _EXTREMES, "high": _EXTREMES}),
    st.fixed_dictionaries({"dist": st.just("normal"), "mean": _EXTREMES, "std": _EXTREMES}),
    st.fixed_dictionaries({"dist": st.just("lognormal"), "median": _EXTREMES, "sigma": _EXTREMES}),
    st.fixed_dictionaries({"dist": st.just("gamma"), "mean": _EXTREMES, "cv": _EXTREMES}),
    st.fixed_dictionaries(
        {
            "dist": st.just("choice"),
            "values": st.lists(_EXTREMES, min_size=2, max_size=2),
            "weights": st.lists(_EXTREMES, min_size=2, max_size=2),
        }
    ),
)


def _extreme_value(default: Any) -> Any:
    from persona_gen.distributions import DistributionSpec

    if isinstance(default, DistributionSpec):
        return _EXTREME_DISTS
    if isinstance(default, dict):
        return st.dictionaries(st.sampled_from(sorted(default)), _EXTREMES, min_size=1)
    if isinstance(default, list) and default and isinstance(default[0], int):
        return st.lists(st.sampled_from([*default, 10**30, 1e308]), min_size=1, max_size=3)
    if isinstance(default, int | float) and not isinstance(default, bool):
        return _EXTREMES
    return st.just(default)


@st.composite
def _extreme_blocks(draw: st.DrawFn) -> dict[str, Any]:
    blocks: dict[str, Any] = {}
    for i, kind in enumerate(draw(st.lists(st.sampled_from(BEHAVIOURS.names()), max_size=3))):
        fields = BEHAVIOURS.get(kind).params_model.model_fields
        chosen = draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True))
        block: dict[str, Any] = {"kind": kind}
        for name in chosen:
            default = fields[name].get_default(call_default_factory=True)
            block[name] = draw(_extreme_value(default))
        blocks[f"b{i}"] = block
    return blocks


@settings(max_examples=60, deadline=None)
@given(_extreme_blocks())
def test_a_persona_that_validates_generates_with_every_generator(
    tmp_path_factory: pytest.TempPathFactory, blocks: dict[str, Any]
) -> None:
    """Any persona ``validate`` accepts makes 50 records of every generator without a
    traceback: extreme parameter values (1e308, 1e-308, 10**30) are refused at load or
    generate; an error of ours (a timeline past year 9999) is a clear refusal too."""
    import yaml

    directory = tmp_path_factory.mktemp("extreme")
    (directory / "x.yaml").write_text(yaml.safe_dump({"name": "x", "behaviors": blocks}))
    catalog = PersonaCatalog([directory])
    try:
        catalog.get("x")
    except PersonaGenError:
        return
    for generator in GENERATORS:
        with contextlib.suppress(PersonaGenError):
            assert len(records("x", generator, 50, catalog=catalog)) == 50


def _alias_bomb(levels: int = 9) -> str:
    text = "name: bomb\ndescription: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    previous = "a"
    for i in range(1, levels):
        anchor = chr(97 + i)
        text += f"x-{anchor}: &{anchor} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
        previous = anchor
    return text + f"x-z: *{previous}\n"


def test_an_alias_bomb_is_refused_at_once() -> None:
    """A few lines of nested aliases ("billion laughs") expand to ~10⁹ values: refused from
    the composed graph, before anything is expanded, also when only an ignored x- key holds
    it."""
    import time

    started = time.monotonic()
    with pytest.raises(PersonaGenError) as caught:
        parse_yaml(_alias_bomb(), "bomb.yaml")
    assert time.monotonic() - started < 5
    assert str(caught.value).startswith(
        "bomb.yaml:11: invalid YAML: its aliases expand to more than 1,000,000 values"
    )
    # Aliases that stay small are fine.
    assert parse_yaml(_alias_bomb(levels=3), "small.yaml").data["x-z"][0][0][0] == "lol"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: r\ndescription: &x [*x]\n",
            "r.yaml:2: invalid YAML: an alias refers to a value that contains it",
        ),
        (
            "name: d\ndescription: " + "[" * 500 + "]" * 500 + "\n",
            "d.yaml:2: invalid YAML: values nest more than 200 levels deep",
        ),
        (
            "name: big\ndescription: " + "9" * 5000 + "\n",
            "big.yaml:2: description: cannot read this value: an integer of 5000 digits has "
            "too many digits (at most 4300)",
        ),
        (
            "name: nul\0\n",
            "nul.yaml:1:10: invalid YAML: unacceptable character #x0000: control characters are "
            "not allowed",
        ),
        (
            "name: !!binary aGVsbG8=\n",
            "hello.yaml:1: name: cannot read this value: binary data (!!binary) is not text",
        ),
        (
            "name: t\ndescription: !!python/tuple [1, 2]\n",
            "t.yaml:2: description: cannot read this value: could not determine a constructor "
            "for the tag 'tag:yaml.org,2002:python/tuple'",
        ),
        (  # (a tab in the indentation: libyaml's message alone did not say what it found)
            "name: tab\nbehaviors:\n\ttypos: {}\n",
            "tab.yaml:3:1: invalid YAML: found character that cannot start any token (a tab: "
            "YAML indents with spaces only)",
        ),
        (
            "name: t\ndescription: !custom {a: 1}\n",
            "t.yaml:2: description: cannot read this value: could not determine a constructor "
            "for the tag '!custom'",
        ),
    ],
)
def test_yaml_that_is_not_plain_data_is_one_line_with_its_line(
    tmp_path: Path, text: str, message: str
) -> None:
    """Recursive aliases and very deep nesting (RecursionError tracebacks), a 5,000-digit
    integer (Python's int_max_str_digits text), a NUL byte (two lines, no line number), and
    tags that make bytes or Python objects: each one line naming the file and line."""
    name = message.split(":", 1)[0]
    (tmp_path / name).write_bytes(text.encode())
    result = run_cli(["validate", str(tmp_path / name)])
    assert result.code == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"persona-gen: error: {tmp_path / message}")


def test_an_unknown_parent_is_offered_the_loadable_personas_alone(tmp_path: Path) -> None:
    # (an empty file, YAML that does not parse, bytes that are not text and a file whose
    # name is not its persona's are in the folder, not among the choices)
    write(tmp_path, "child", "name: child\nextends: [normal_usr]\nbehaviors: {}\n")
    write(tmp_path, "sibling", "name: sibling\nbehaviors: {}\n")
    write(tmp_path, "empty", "")
    write(tmp_path, "broken", "name: [\n")
    write(tmp_path, "misnamed", "name: other\nbehaviors: {}\n")
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)))
    builtin = "edge_case_user, high_volume_system, legacy_client, noisy_device, normal_user"
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("child")
    assert str(info.value) == (
        f"{tmp_path}/child.yaml:2:11: extends[0]: unknown parent persona 'normal_usr'. "
        f"Did you mean 'normal_user'? Available: {builtin}, sibling"
    )
    with pytest.raises(UnknownNameError) as unknown:
        PersonaCatalog([tmp_path]).get("siblin")
    assert str(unknown.value) == (
        f"unknown persona 'siblin'. Did you mean 'sibling'? Available: child, {builtin}, sibling"
    )


def test_a_misnamed_persona_is_refused_each_time_it_is_asked_for(tmp_path: Path) -> None:
    write(tmp_path, "misnamed", "name: other\nbehaviors: {}\n")
    catalog = PersonaCatalog([tmp_path])
    assert "misnamed" not in catalog.loadable()
    with pytest.raises(ValidationError, match="persona name 'other' must match the file name"):
        catalog.get("misnamed")  # (not taken from what loadable() read)


def test_an_inherited_parameter_that_does_not_fit_a_new_kind_names_where_the_kind_is_set(
    tmp_path: Path,
) -> None:
    # The child gave normal_user's rare_errors another kind; the parent's statuses (a
    # mapping, not retry_storms' list) were blamed on the built-in file alone, which the
    # user never wrote.
    write(
        tmp_path,
        "child",
        "name: child\nextends: normal_user\nbehaviors:\n  rare_errors:\n    kind: retry_storms\n",
    )
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("child")
    (problem,) = info.value.problems
    assert problem.file.endswith("normal_user.yaml") and problem.path.endswith("statuses")
    assert problem.message == (
        "expected a list (lines starting '- ', or [a, b]), not a mapping (the block's kind is "
        f"set at {tmp_path}/child.yaml:5:5; "
        "it keeps the parameters it inherits)"
    )


def test_a_child_changes_an_inherited_blocks_parameter_without_repeating_its_kind(
    tmp_path: Path,
) -> None:
    # persona-format.md#inheritance merges a block both define by parameter, kind included:
    # `rare_errors: {rate: 0.0}` under `extends: normal_user` was refused as an unknown kind
    # 'rare_errors' unless the child repeated `kind: errors`.
    quiet = write(
        tmp_path,
        "quiet_user",
        "name: quiet_user\nextends: normal_user\nbehaviors: {rare_errors: {rate: 0.0}}\n",
    )
    result = run_cli(["validate", str(quiet)])
    assert result.code == 0, result.stderr
    (rare,) = [
        b
        for b in PersonaCatalog([tmp_path]).get("quiet_user").behaviours
        if b.name == "rare_errors"
    ]
    assert (rare.kind, rare.params.rate) == ("errors", 0.0)
    # Three levels: the grandparent names the kind, the parent and the child each change a
    # parameter; `errors` here is a typos block, so its name is no guide to its kind.
    write(
        tmp_path,
        "grand",
        """\
        name: grand
        behaviors:
          rare_errors: {kind: errors, rate: 0.02, statuses: {500: 1.0}}
          errors: {kind: typos, rate: 0.1}
        """,
    )
    write(
        tmp_path,
        "parent",
        "name: parent\nextends: grand\nbehaviors:\n  rare_errors: {rate: 0.01}\n"
        "  errors: {max_edits: 2}\n",
    )
    child = write(
        tmp_path,
        "child",
        "name: child\nextends: parent\nbehaviors:\n  rare_errors: {statuses: {503: 1.0}}\n"
        "  errors: {rate: 0.5}\n",
    )
    result = run_cli(["validate", str(child)])
    assert result.code == 0, result.stderr
    blocks = {b.name: b for b in PersonaCatalog([tmp_path]).get("child").behaviours}
    rare, errors = blocks["rare_errors"], blocks["errors"]
    assert (rare.kind, rare.params.rate, dict(rare.params.statuses)) == ("errors", 0.01, {503: 1.0})
    assert (errors.kind, errors.params.rate, errors.params.max_edits) == ("typos", 0.5, 2)
    # A child may still give an inherited block another kind, explicitly (its inherited
    # parameters fit the new kind).
    write(
        tmp_path, "recast", "name: recast\nextends: grand\nbehaviors:\n  errors: {kind: unicode}\n"
    )
    recast = {b.name: b for b in PersonaCatalog([tmp_path]).get("recast").behaviours}
    assert (recast["errors"].kind, recast["errors"].params.rate) == ("unicode", 0.1)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (  # (a misspelt inherited block: the closest inherited name, not a kind)
            "rare_erors: {rate: 0.0}",
            "behaviors.rare_erors: 'rare_erors' is no behaviour kind and no parent "
            "(normal_user) has a block named 'rare_erors' to inherit one from. Did you mean "
            "the inherited block 'rare_errors'? (or give the block a 'kind:')",
        ),
        (
            "erors: {rate: 0.0}",
            "behaviors.erors: unknown behaviour kind 'erors' (no parent (normal_user) has a "
            "block named 'erors' to inherit a kind from; give the block a 'kind:'). Did you "
            "mean 'errors'? Available: ",
        ),
        (  # (a parameter the inherited kind lacks: where that kind comes from)
            "rare_errors: {rat: 0.0}",
            "behaviors.rare_errors.rat: unknown field. Did you mean 'rate'? (the block's kind "
            f"is inherited from {builtin_persona_dir()}/normal_user.yaml:19:5)",
        ),
    ],
)
def test_a_childs_block_without_a_kind_that_fits_nothing_inherited_says_why(
    tmp_path: Path, block: str, message: str
) -> None:
    path = write(tmp_path, "kid", f"name: kid\nextends: normal_user\nbehaviors:\n  {block}\n")
    result = run_cli(["validate", str(path)])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {path}:4:"), result.stderr
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_validate_warns_where_sessions_will_average_well_below_their_declared_length(
    tmp_path: Path,
) -> None:
    # Sessions are cut every 65,536 events: with ~4,096 active at once each gets about 16
    # events of such a stretch, so a declared mean of 300 measures ~15. validate says so,
    # in numbers, and the built-in personas (within ~12% of theirs) get no such warning.
    persona = tmp_path / "busy.yaml"
    persona.write_text(
        "name: busy\nversion: 1.0.0\nbehaviors:\n"
        "  timing: {rate_per_second: 400, think_time_ms: {dist: constant, value: 20000}}\n"
        "  session: {length: {dist: geometric, mean: 300}, users: 100000}\n"
    )
    result = run_cli(["validate", str(persona)])
    assert result.code == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "warning" in line]
    assert "busy.yaml:5:3: behaviors.session: about 4,096 sessions are active at once" in warning
    assert "average about 15 events, not the declared 300" in warning
    measured = np.unique(
        [
            r["session_id"]
            for r in records("busy", "load", 8 * 1024, catalog=PersonaCatalog([tmp_path]))
        ],
        return_counts=True,
    )[1]
    assert measured.mean() < 300 / 4  # (what the warning is about)
    for name in ("normal_user", "noisy_device", "high_volume_system"):
        builtin = builtin_persona_dir() / f"{name}.yaml"
        assert "warning" not in run_cli(["validate", str(builtin)]).stderr


def test_a_worker_skipping_a_run_of_blocks_rebuilds_only_that_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worker of two traces blocks 0-3, then 8-11 (parallel._Share): block 8's sessions are
    # rebuilt from block 3's, over blocks 4-7, not from the span's start (each later run
    # advanced over every block before it: 8 draws a block where 1 was needed).
    import persona_gen.personas.engine as engine_module
    from persona_gen.personas.engine import PersonaEngine

    def engine() -> PersonaEngine:
        return PersonaEngine(PersonaCatalog().get("normal_user"), 3, "test", 1_735_689_600_000)

    advanced: list[int] = []
    real_advance = engine_module.advance

    def counted(clock: Any, rng: Any, block: int, n: int, before: Any) -> SlotState:
        advanced.append(block)
        return real_advance(clock, rng, block, n, before)

    monkeypatch.setattr(engine_module, "advance", counted)
    worker, in_order = engine(), engine()
    for block in range(12):
        expected = in_order.trace(block)
        if block // 4 % 2 == 0:
            got = worker.trace(block)
            assert got.session.tolist() == expected.session.tolist()
            assert got.session_pos.tolist() == expected.session_pos.tolist()
    assert advanced == [4, 5, 6, 7]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            'typos: {rate: "0.5"}',
            "bad.yaml:3:11: behaviors.typos.rate: Input should be a valid number",
        ),
        (
            "timing: {rate_per_second: true}",
            "behaviors.timing.rate_per_second: Input should be a valid number",
        ),
        (
            "deprecated_formats: {epoch_dates: false}",
            "behaviors.deprecated_formats.epoch_dates: Input should be a valid number",
        ),
        (
            'limited_features: {no_compression: "yes"}',
            "behaviors.limited_features.no_compression: Input should be a valid boolean",
        ),
        (
            "deprecated_formats: {decimal_comma: 0}",
            "behaviors.deprecated_formats.decimal_comma: Input should be a valid boolean",
        ),
        ('typos: {max_edits: "2"}', "behaviors.typos.max_edits: Input should be a valid integer"),
        (
            'retry_storms: {statuses: ["503"]}',
            "behaviors.retry_storms.statuses[0]: Input should be a valid integer",
        ),
        (
            'timing: {latency_ms: {dist: lognormal, median: "120", sigma: 0.5}}',
            "behaviors.timing.latency_ms.median: Input should be a valid number",
        ),
    ],
)
def test_parameters_of_the_wrong_type_are_refused_not_converted(
    tmp_path: Path, block: str, expected: str
) -> None:
    # The published JSON Schema refuses these; the loader converted them ("yes" -> True,
    # true -> 1 event per second, "0.5" -> 0.5) and accepted the persona.
    write(tmp_path, "bad", f"name: bad\nbehaviors:\n  {block}\n")
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert expected in str(info.value)


def test_numbers_in_exponent_notation_and_quoted_status_keys_are_read_as_numbers(
    tmp_path: Path,
) -> None:
    # PyYAML reads a plain `2e3` as a string (YAML 1.1 wants `2.0e+3`); YAML 1.2, JSON and
    # editors read a number, and so does the loader. A status key may be written as text.
    write(
        tmp_path,
        "ok",
        "name: ok\nbehaviors:\n  timing: {rate_per_second: 2e3, latency_ms: 1.5E2}\n"
        '  errors: {statuses: {"500": 1, 503: 3}}\n  slow_processing: {timeout_ms: "1e4"}\n',
    )
    with pytest.raises(ValidationError) as info:  # (quoted: a string, as the user asked)
        PersonaCatalog([tmp_path]).get("ok")
    assert "behaviors.slow_processing.timeout_ms: Input should be a valid number" in str(info.value)
    for tagged in ("!!str 1e4", "&t !!str 1e4", "!<tag:yaml.org,2002:str> 1e4"):  # (so is a tag)
        write(
            tmp_path, "ok", f"name: ok\nbehaviors:\n  slow_processing: {{timeout_ms: {tagged}}}\n"
        )
        with pytest.raises(ValidationError) as info:
            PersonaCatalog([tmp_path]).get("ok")
        assert "timeout_ms: Input should be a valid number" in str(info.value), tagged
    write(
        tmp_path,
        "ok",
        "name: ok\nbehaviors:\n  timing: {rate_per_second: 2e3, latency_ms: 1.5E2}\n"
        '  errors: {statuses: {"500": 1, 503: 3}}\n',
    )
    persona = PersonaCatalog([tmp_path]).get("ok")
    params = {b.name: b.params for b in persona.behaviours}
    assert params["timing"].rate_per_second == 2000.0
    assert params["timing"].latency_ms.mean() == 150.0
    assert params["errors"].statuses == {500: 1.0, 503: 3.0}


@pytest.mark.parametrize("value", ['"5"', "true", "[1, 2]"])
def test_a_distribution_that_is_neither_number_nor_mapping_says_what_is_expected(
    tmp_path: Path, value: str
) -> None:
    # It read "Input should be a valid dictionary or object to extract fields from".
    write(tmp_path, "bad", f"name: bad\nbehaviors:\n  session:\n    length: {value}\n")
    with pytest.raises(ValidationError) as info:
        PersonaCatalog([tmp_path]).get("bad")
    assert str(info.value).endswith(
        "bad.yaml:4:5: behaviors.session.length: Input should be a number or a distribution "
        "such as {dist: uniform, low: 1, high: 5}"
    )
