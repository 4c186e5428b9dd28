"""Generators: golden output, record shapes, and labels that agree with a real validator."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.builtin import builtin_domain
from persona_gen.entities.model import Domain
from persona_gen.entities.to_jsonschema import entity_json_schema
from persona_gen.generators import GENERATORS, SUMMARIES
from persona_gen.generators.base import Generator
from persona_gen.generators.mutations import MUTATIONS
from persona_gen.generators.streaming import murmur2, murmur2_partition
from tests.helpers import GENERATORS as NAMES
from tests.helpers import PERSONAS, records

GOLDENS = Path(__file__).parent / "goldens"
CATALOG = PersonaCatalog()


def validator(persona: str, entity: str | None = None) -> jsonschema.Validator:
    domain = builtin_domain(CATALOG.get(persona).population.kind)
    schema = entity_json_schema(domain, entity)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("generator", NAMES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_golden_output(generator: str, persona: str, update_goldens: bool) -> None:
    got = json.dumps(records(persona, generator, 4, seed=2024), indent=1, ensure_ascii=False)
    golden = GOLDENS / f"{generator}-{persona}.json"
    if update_goldens or not golden.exists():
        golden.write_text(got + "\n", encoding="utf-8")
    assert got + "\n" == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_every_generator_conforms(name: str) -> None:
    cls = GENERATORS.get(name)
    assert issubclass(cls, Generator)
    assert cls.name == name
    assert cls.description
    assert cls.use_case
    assert SUMMARIES[name] == (cls.description, cls.use_case)
    assert (Path(__file__).parent.parent / "docs" / "generators" / f"{name}.md").exists()


def test_api_exchanges_are_complete() -> None:
    for r in records("normal_user", "api", 300):
        req = r["request"]
        assert req["method"] in {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert req["path"].startswith("/api/v2/")
        assert req["headers"]["X-Request-ID"] == r["request_id"]
        assert set(r["response"]) >= {"status", "headers", "body", "latency_ms"}
        if req["method"] in ("POST", "PUT"):
            assert isinstance(req["body"], dict)


def test_api_request_bodies_validate_unless_labelled() -> None:
    check = validator("edge_case_user", "User")
    orders = validator("edge_case_user", "Order")
    seen_invalid = 0
    for r in records("edge_case_user", "api", 3000):
        req = r["request"]
        if (
            req["method"] not in ("POST", "PUT")
            or not isinstance(req["body"], dict)
            or ("items" in req["body"] and "/batch" in req["path"])
        ):
            continue
        v = check if "/users" in req["path"] else orders
        errors = list(v.iter_errors(req["body"]))
        assert bool(errors) == (not r["expected_valid"]), (r["violations"], errors[:1])
        if errors:
            seen_invalid += 1
            assert r["response"]["status"] in (422, 401, 429) or r["response"]["status"] >= 500
    assert seen_invalid > 0


def test_batch_posts_carry_their_own_distinct_valid_items() -> None:
    """A batch POST's items: as many as its batch size (at most 50), each drawn for it alone
    (no item repeats within or across batches), each a valid record of the entity."""
    checks = {
        "/transactions": validator("high_volume_system", "Transaction"),
        "/orders": validator("high_volume_system", "Order"),
    }
    sizes, ids = [], Counter[str]()
    for r in records("high_volume_system", "api", 4000, seed=3):
        req = r["request"]
        if not req["path"].endswith("/batch"):
            continue
        items = req["body"]["items"]
        sizes.append(len(items))
        ids.update(item["id"] for item in items)
        check = next(v for prefix, v in checks.items() if prefix in req["path"])
        if r["expected_valid"]:
            for item in items[1:]:  # (the first is the one content behaviours may touch)
                assert not list(check.iter_errors(item)), item
    assert len(sizes) > 50 and min(sizes) >= 2 and max(sizes) == 50
    assert max(ids.values()) == 1


def test_legacy_client_uses_v1_paths_and_old_encodings() -> None:
    recs = records("legacy_client", "api", 200)
    assert all("/v1/" in r["request"]["path"] for r in recs)
    assert all(r["request"]["method"] != "PATCH" for r in recs)
    bodies = [r["request"]["body"] for r in recs if isinstance(r["request"]["body"], dict)]
    assert any("/" in str(b.get("created_at", "")) for b in bodies)


def test_streaming_envelopes() -> None:
    recs = records("noisy_device", "streaming", 2000)
    check = validator("noisy_device", "TelemetryReading")
    ingest = [r["ingest_time"] for r in recs[:1024]]
    assert ingest == sorted(ingest)  # consumer order within a block
    for r in recs:
        assert r["partition"] == murmur2_partition(r["key"])
        assert r["ingest_time"] >= r["event_time"] or r["offline"] or r["delay_ms"] >= 0
        if r["event_type"] == "telemetry.reading":
            assert (not list(check.iter_errors(r["payload"]))) == r["expected_valid"]


@pytest.mark.parametrize(
    ("key", "java_hash"),
    [
        # Test vectors of Kafka's own UtilsTest.testMurmur2 (signed Java ints).
        (b"21", -973932308),
        (b"foobar", -790332482),
        (b"a-little-bit-long-string", -985981536),
        (b"a-little-bit-longer-string", -1486304829),
        (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
        (b"abc", 479470107),
    ],
)
def test_kafka_murmur2_matches_the_java_client(key: bytes, java_hash: int) -> None:
    assert murmur2(key) == java_hash & 0xFFFFFFFF
    assert murmur2_partition(key.decode(), 12) == (java_hash & 0x7FFFFFFF) % 12


def test_file_rows_are_flat_with_stable_columns() -> None:
    recs = records("normal_user", "file", 500)
    columns = list(recs[0])
    assert "address.city" in columns
    assert all(list(r) == columns for r in recs)
    assert all(not isinstance(v, dict | list) for r in recs for v in r.values())


@pytest.mark.parametrize("persona", PERSONAS)
def test_unique_columns_stay_unique_across_blocks(persona: str) -> None:
    # Unique keys of the built-in entities (username has a pattern, email a format) must
    # not repeat anywhere in a dataset, or a table with UNIQUE constraints rejects it.
    from persona_gen.runtime.dataset import Dataset

    dataset = Dataset([(CATALOG.get(persona), 1.0)], "file", 6000, 7)
    recs = [r for block in dataset.blocks() for r in block]
    entity = dataset.lanes[0].generator.entity
    for columns in (*entity.unique, entity.primary_key):
        keys = [
            tuple(r[c] for c in columns) for r in recs if all(r[c] is not None for c in columns)
        ]
        assert len(keys) == len(set(keys)), columns


def _keyed_domain(tmp_path: Path, ddl: str) -> Domain:
    from persona_gen.runtime.schema_import import import_schema

    source = tmp_path / "t.sql"
    source.write_text(ddl)
    return import_schema(source, "ddl").domain


def test_a_unique_integer_key_stays_within_its_bounds() -> None:
    # A unique integer counted from its minimum (or 1) ran past its maximum; with no minimum,
    # past the maximum it counts down from 1. multipleOf and exclusive bounds hold too.
    from persona_gen.entities.model import Entity, Field, Schema

    fields = (
        Field("n", Schema("integer", maximum=2000, multiple_of=2)),
        Field("m", Schema("integer", minimum=0, maximum=3000, exclusive_minimum=True)),
        Field("x", Schema("string")),
    )
    entity = Entity("T", Schema("object", fields=fields), unique=(("n",), ("m",)))
    domain = Domain({"T": entity}, "T")
    persona = CATALOG.get("normal_user")
    dataset = Dataset([(persona, 1.0)], "file", 2500, 3, domain=domain, entity="T")
    rows = [r for block in dataset.blocks() for r in block]
    n = [r["n"] for r in rows]
    m = [r["m"] for r in rows]
    assert len(set(n)) == len(set(m)) == 2500
    assert max(n) == 2000 and all(v % 2 == 0 for v in n)
    assert min(m) == 1 and max(m) == 2500


def test_keys_of_a_signed_sql_type_count_from_1_not_from_the_types_minimum(
    tmp_path: Path,
) -> None:
    # An `int PRIMARY KEY` has the type's range (-2147483648 up) as its bounds; its keys
    # counted up from -2147483648. A minimum of 0 or more is kept as the start; a negative
    # one is reached after the maximum, counting down from 0.
    domain = _keyed_domain(
        tmp_path,
        "CREATE TABLE t (id int PRIMARY KEY, code smallint UNIQUE,"
        " lvl int UNIQUE CHECK (lvl BETWEEN -2 AND 3), z int UNIQUE CHECK (z >= 0));",
    )
    persona = CATALOG.get("normal_user")
    rows = [r for b in Dataset([(persona, 1.0)], "file", 6, 1, domain=domain).blocks() for r in b]
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["code"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["lvl"] for r in rows] == [1, 2, 3, 0, -1, -2]
    assert [r["z"] for r in rows] == [0, 1, 2, 3, 4, 5]


def test_a_dataset_larger_than_a_unique_keys_room_is_refused_up_front(tmp_path: Path) -> None:
    from persona_gen.errors import GenerationError

    domain = _keyed_domain(
        tmp_path,
        "CREATE TABLE t (id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 1000), note TEXT);\n",
    )
    persona = CATALOG.get("normal_user")
    with pytest.raises(GenerationError) as refused:
        Dataset([(persona, 1.0)], "file", 1001, 1, domain=domain, entity="t")
    assert str(refused.value) == (
        "'id' must be unique but has only 1000 allowed values (1 to 1000); "
        "1001 records cannot all differ"
    )


def test_unique_enum_room_is_checked_against_the_whole_dataset(tmp_path: Path) -> None:
    # Checked per block, it refused 3 records of a 3-member key (a block is drawn whole)
    # and passed a first block of a dataset too large for the key, to fail a block later.
    from persona_gen.errors import GenerationError

    members = ", ".join(f"'k{i}'" for i in range(1500))
    domain = _keyed_domain(
        tmp_path,
        f"CREATE TABLE t (kind VARCHAR(6) PRIMARY KEY CHECK (kind IN ({members})), note TEXT);\n",
    )
    persona = CATALOG.get("normal_user")
    for count in (1500, 3):
        dataset = Dataset([(persona, 1.0)], "file", count, 1, domain=domain, entity="t")
        kinds = [r["kind"] for block in dataset.blocks() for r in block]
        assert len(set(kinds)) == count
    with pytest.raises(GenerationError, match=r"only 1500 allowed values .*; 1501 records cannot"):
        Dataset([(persona, 1.0)], "file", 1501, 1, domain=domain, entity="t")


def test_a_bounded_unique_key_in_a_mix_stays_unique_or_is_refused(tmp_path: Path) -> None:
    from persona_gen.errors import GenerationError

    domain = _keyed_domain(
        tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 2000));\n"
    )
    even = [(CATALOG.get("normal_user"), 0.5), (CATALOG.get("legacy_client"), 0.5)]
    dataset = Dataset(even, "file", 2000, 1, domain=domain, entity="t")
    ids = [r["id"] for block in dataset.blocks() for r in block]
    assert len(set(ids)) == 2000 and min(ids) >= 1 and max(ids) <= 2000
    # Each persona's records are numbered apart (k + n*i): 1,800 records of a 90 % persona
    # take numbers up to about 3,600, more than the key holds.
    lopsided = [(CATALOG.get("normal_user"), 0.9), (CATALOG.get("legacy_client"), 0.1)]
    with pytest.raises(GenerationError, match="of this mix of 2 personas are numbered up to"):
        Dataset(lopsided, "file", 2000, 1, domain=domain, entity="t")


def test_a_file_dataset_of_two_entities_is_refused() -> None:
    from persona_gen.errors import GenerationError
    from persona_gen.runtime.dataset import Dataset

    mix = [(CATALOG.get("noisy_device"), 1.0), (CATALOG.get("normal_user"), 1.0)]
    with pytest.raises(GenerationError, match="must be one entity"):
        Dataset(mix, "file", 10, 1)
    Dataset(mix, "streaming", 10, 1)  # events of several entities are fine in a stream


def test_noisy_file_rows_are_cut_short() -> None:
    recs = records("noisy_device", "file", 4000)
    assert any(r["status"] is None and r["reading_id"] for r in recs)


def test_load_schedule_is_replayable() -> None:
    recs = records("high_volume_system", "load", 3000)
    assert all(r["offset_ms"] >= 0 for r in recs)
    assert any(r["batch_size"] > 1 for r in recs)
    assert any(r["expected_status"] == 429 for r in recs)
    assert {r["method"] for r in recs} >= {"GET", "POST"}


def test_fault_baseline_then_labelled_mutations() -> None:
    recs = records("edge_case_user", "fault", 2000)
    check = validator("edge_case_user")
    assert recs[0]["baseline"] and recs[0]["mutation"] == "none"
    assert recs[0]["expected_valid"] and not list(check.iter_errors(recs[0]["record"]))
    kinds: Counter[str] = Counter()
    for r in recs[1:]:
        assert not r["baseline"]
        kinds[r["mutation"]] += 1
        errors = list(check.iter_errors(r["record"]))
        assert bool(errors) == (not r["expected_valid"]), r
        if errors:
            rules = {e.validator for e in errors}
            assert r["rule"] in rules, (r, rules)
    assert len(kinds) >= 10
    assert set(kinds) <= set(MUTATIONS)


def test_fault_mix_follows_persona_behaviours() -> None:
    legacy = Counter(r["mutation"] for r in records("legacy_client", "fault", 3000))
    edge = Counter(r["mutation"] for r in records("edge_case_user", "fault", 3000))
    assert legacy["format_violation"] > edge["format_violation"]
    assert edge["overflow"] > legacy["overflow"]


def test_api_bodies_and_batch_items_never_share_a_unique_key(tmp_path: Path) -> None:
    # Batch items used to be numbered after the block's own rows, where the next block's
    # bodies are numbered too: serial keys repeated across the dataset.
    from persona_gen import Dataset
    from persona_gen.runtime.schema_import import import_schema

    ddl = tmp_path / "t.sql"
    ddl.write_text("CREATE TABLE t (id SERIAL PRIMARY KEY, code VARCHAR(12) UNIQUE);\n")
    domain = import_schema(ddl, "ddl").domain
    persona = CATALOG.get("high_volume_system")
    dataset = Dataset([(persona, 1.0)], "api", 4 * 1024, 1, key="t", domain=domain, entity="t")
    sent: dict[str, list[object]] = {"id": [], "code": []}
    batches = 0
    for block in dataset.blocks():
        for record in block:
            if record["request"]["method"] != "POST" or not record["request"]["body"]:
                continue
            body = record["request"]["body"]
            batches += "items" in body and set(body) == {"items"}
            for item in body["items"] if set(body) == {"items"} else [body]:
                for key, values in sent.items():
                    if item.get(key) is not None:
                        values.append(item[key])
    assert batches > 10
    for key, values in sent.items():
        assert len(values) == len(set(values)), key


@pytest.mark.parametrize("persona", ["normal_user", "high_volume_system", "edge_case_user"])
def test_an_api_exchange_names_one_resource(persona: str) -> None:
    # The resource a path names is the one its success reply holds, an update's body is that
    # resource, and a create or update is answered with what it sent.
    ds = Dataset([(PersonaCatalog([]).get(persona), 1.0)], "api", 3000, 3)
    checked = 0
    for record in (r for block in ds.blocks() for r in block):
        request, response = record["request"], record["response"]
        if not response or response["status"] not in (200, 201):
            continue
        reply, body = response["body"], request["body"]
        if not isinstance(reply, dict) or ("items" in reply and "page" in reply):
            continue
        parts = request["path"].split("/")
        if len(parts) == 5 and "id" in reply and parts[4] != "batch":  # /api/v2/users/{id}
            assert reply["id"] == parts[4]
            checked += 1
        if request["method"] in ("POST", "PUT", "PATCH") and not request["path"].endswith("/batch"):
            assert isinstance(body, dict)
            assert {k: reply.get(k) for k in body} == body
            checked += 1
    assert checked > 500


# -- fault on imported schemas: unions, integers, nullable references --------------------------


def _fault_run(
    tmp_path: Path, name: str, text: str, *, persona: str, count: int, entity: str | None = None
) -> tuple[list[dict[str, object]], object, str]:
    """Import ``text`` as a fault dataset, generate it and check it with the tool's own
    ``check`` against the source schema: (records, the check report, generate's stderr)."""
    from persona_gen.profiles.loader import load_profile
    from persona_gen.runtime.check import check_dataset
    from tests.helpers import run_cli

    source = tmp_path / name
    source.write_text(text)
    profile = tmp_path / "p.yaml"
    args = ["import-schema", str(source), "-t", "fault", "-c", str(count), "-o", str(profile)]
    imported = run_cli([*args, *(["-e", entity] if entity else [])])
    assert imported.code == 0, imported.stderr
    out = tmp_path / "out"
    made = run_cli(["generate", str(profile), "-s", "3", "--persona", persona, "-o", str(out)])
    assert made.code == 0, made.stderr
    assert "Traceback" not in made.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    report = check_dataset(data, load_profile(profile), schema_path=source)
    return json.loads(data.read_bytes()), report, made.stderr


_STEP = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Step",
    "oneOf": [
        {
            "type": "object",
            "properties": {"uses": {"type": "string", "maxLength": 40}},
            "required": ["uses"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"run": {"type": "string"}, "shell": {"enum": ["bash", "sh"]}},
            "required": ["run"],
            "additionalProperties": False,
        },
    ],
}


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_fault_mutates_a_union_entity_within_its_variant(tmp_path: Path, persona: str) -> None:
    # GitHub workflows' `step`, azure-pipelines, CycloneDX `licenseChoice`: an entity that is
    # a oneOf has no fields of its own, and fault crashed in numpy (a choice among none).
    records, report, _ = _fault_run(
        tmp_path, "step.json", json.dumps(_STEP), persona=persona, count=400
    )
    assert report.exit_code == 0, report.to_json()  # type: ignore[attr-defined]
    check = jsonschema.Draft7Validator(_STEP, format_checker=jsonschema.FormatChecker())
    mutated = Counter(r["mutation"] for r in records[1:])
    assert {"null_injection", "extra_field", "missing_required", "invalid_enum"} <= set(mutated)
    for r in records:
        assert bool(list(check.iter_errors(r["record"]))) == (not r["expected_valid"]), r
        if r["field_path"]:  # a field of the variant the record was drawn from
            variant = "uses" if "uses" in r["record"] or r["field_path"] == "uses" else "run"
            assert r["field_path"] in ({"uses", "_unexpected_field"} if variant == "uses" else
                                       {"run", "shell", "_unexpected_field"}), r  # fmt: skip


def test_a_mutation_another_variant_accepts_is_labelled_valid(tmp_path: Path) -> None:
    # {"n": "7"} turned into {"n": 7} is no longer the string variant, but it is the other.
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Either",
        "anyOf": [
            {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]},
            {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
        ],
    }
    records, report, _ = _fault_run(
        tmp_path, "either.json", json.dumps(schema), persona="normal_user", count=300
    )
    assert report.exit_code == 0, report.to_json()  # type: ignore[attr-defined]
    crossed = [
        r for r in records if r["mutation"] == "type_mismatch" and isinstance(r["record"]["n"], int)
    ]
    assert crossed and all(r["expected_valid"] and r["rule"] is None for r in crossed)
    assert all("fits another variant" in str(r["description"]) for r in crossed)


def test_an_entity_with_nothing_to_mutate_is_its_valid_baseline(tmp_path: Path) -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Name"}
    schema |= {"type": "string", "minLength": 1}
    records, report, stderr = _fault_run(
        tmp_path, "name.json", json.dumps(schema), persona="edge_case_user", count=20
    )
    assert report.exit_code == 0, report.to_json()  # type: ignore[attr-defined]
    assert stderr.count("has no field a mutation can act on") == 1, stderr
    assert records[0]["baseline"]
    assert all(r["mutation"] == "none" and r["expected_valid"] for r in records)


_COUNTER_OPENAPI = """\
openapi: 3.0.3
info: {title: Counters, version: "1.0"}
paths: {}
components:
  schemas:
    Counter:
      type: object
      required: [hits, size, small, capped]
      properties:
        hits: {type: integer}
        size: {type: integer, format: int64}
        small: {type: integer, format: int32}
        capped: {type: integer, minimum: -5, maximum: 10}
"""

_COUNTER_JSONSCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Counter",
    "type": "object",
    "properties": {
        "hits": {"type": "integer"},
        "size": {"type": "integer", "format": "int64"},
        "capped": {"type": "integer", "minimum": -5, "maximum": 10},
    },
    "required": ["hits", "size", "capped"],
}


@pytest.mark.parametrize("flavour", ["openapi", "jsonschema"])
def test_fault_overflow_writes_integers_and_names_the_rule_that_fails(
    tmp_path: Path, flavour: str
) -> None:
    # underflow wrote -1.3835058055282164e+19 (a float) into integer fields; an unbounded
    # integer was "below the minimum" yet labelled valid, an int64 one labelled "minimum"
    # where OpenAPI's validator says "format" and JSON Schema's says nothing.
    if flavour == "openapi":
        records, report, _ = _fault_run(
            tmp_path, "c.yaml", _COUNTER_OPENAPI, persona="edge_case_user", count=600,
            entity="Counter",
        )  # fmt: skip
    else:
        records, report, _ = _fault_run(
            tmp_path, "c.json", json.dumps(_COUNTER_JSONSCHEMA), persona="edge_case_user",
            count=600,
        )  # fmt: skip
    assert report.exit_code == 0, report.to_json()  # type: ignore[attr-defined]
    ranged = [r for r in records if r["mutation"] in ("overflow", "underflow")]
    labels = {(r["mutation"], r["field_path"], r["rule"]) for r in ranged}
    expected = {("overflow", "capped", "maximum"), ("underflow", "capped", "minimum")}
    if flavour == "openapi":
        expected |= {
            ("overflow", "size", "format"),  # 2**63 is not an int64 (-2**63 - 1 cannot be
            ("overflow", "small", "format"),  # written as a JSON integer: no underflow)
            ("underflow", "small", "format"),
        }
    assert labels == expected
    for r in ranged:
        value = r["record"][r["field_path"]]  # type: ignore[index]
        assert isinstance(value, int) and not r["expected_valid"], r
    assert b"e+" not in json.dumps(records).encode()


_NULLABLE_RECORD = {
    "type": "record",
    "name": "Entry",
    "namespace": "com.example",
    "fields": [
        {"name": "id", "type": "long"},
        {
            "name": "meta",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Meta",
                    "fields": [{"name": "version", "type": ["null", "int"], "default": None}],
                },
            ],
            "default": None,
        },
    ],
}


def test_null_is_not_injected_where_a_reference_allows_it(tmp_path: Path) -> None:
    # Hudi's HoodieArchivedMetaEntry: every field is ["null", record]; null_injection there
    # was labelled invalid ("type") although the schema takes null, and check FAILED.
    records, report, _ = _fault_run(
        tmp_path, "entry.avsc", json.dumps(_NULLABLE_RECORD), persona="normal_user", count=300
    )
    assert report.exit_code == 0, report.to_json()  # type: ignore[attr-defined]
    assert report.undetected.get("type", 0) == 0  # type: ignore[attr-defined]
    nulls = {r["field_path"] for r in records if r["mutation"] == "null_injection"}
    assert nulls == {"id"}  # meta and meta.version may be null


@pytest.mark.parametrize("generator", ["streaming", "file"])
def test_malformed_payloads_label_int64_overflows_as_json_schema_does(
    tmp_path: Path, generator: str
) -> None:
    # edge_case_user's malformed inputs are fault mutations too: an "overlong" int64 was
    # labelled "maximum" though JSON Schema validators do not check the int64 format.
    from persona_gen.profiles.loader import load_profile
    from persona_gen.runtime.check import check_dataset
    from tests.helpers import run_cli

    source = tmp_path / "c.json"
    source.write_text(json.dumps(_COUNTER_JSONSCHEMA))
    profile = tmp_path / "p.yaml"
    args = ["import-schema", str(source), "-t", generator, "-c", "3000", "-o", str(profile)]
    assert run_cli(args).code == 0
    out = tmp_path / "out"
    persona = ["--persona", "edge_case_user"]
    made = run_cli(["generate", str(profile), "-s", "5", *persona, "-o", str(out)])
    assert made.code == 0, made.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    report = check_dataset(data, load_profile(profile), schema_path=source)
    assert report.exit_code == 0, report.to_json()
    assert report.labelled_invalid > 50
