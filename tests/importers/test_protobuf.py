"""The protobuf importer: every construct, errors, and records that the protobuf runtime accepts.

The validator is the protobuf runtime itself: each generated record must parse with
``json_format.ParseDict`` (unknown fields are errors) and survive a binary round trip.
"""

from __future__ import annotations

import base64
import json
from importlib import resources
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2, json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protobuf_proof import problem, records, variant_records

from persona_gen.entities.model import Schema
from persona_gen.entities.serial import domain_from_dict, domain_to_dict
from persona_gen.errors import SchemaImportError, UnknownNameError
from persona_gen.importers import FORMAT_ALIASES, IMPORTERS
from persona_gen.importers.base import ImportResult
from persona_gen.importers.protobuf import (
    ProtobufImporter,
    descriptor_set,
    message_class,
    to_message,
)
from persona_gen.runtime.check_validators import _protobuf_validator

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "schemas" / "user.proto"


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, includes: tuple[Path, ...] = ()) -> ImportResult:
    return ProtobufImporter(includes).load(path)


def prove(path: Path, includes: tuple[Path, ...] = (), n: int = 50) -> ImportResult:
    """Every listed entity's records (and every oneof variant's) parse and round-trip."""
    result = load(path, includes)
    data = descriptor_set(path, includes)
    for entity in result.listed:
        cls = message_class(data, entity)
        rows = records(result, entity, n) + variant_records(result, entity)
        assert rows
        for row in rows:
            assert problem(row, cls) is None, (entity, row, problem(row, cls))
    return result


def field_schema(result: ImportResult, entity: str, name: str) -> Schema:
    f = result.domain.entities[entity].schema.field(name)
    assert f is not None, f"{entity} has no field {name}"
    return f.schema


def required(result: ImportResult, entity: str, name: str) -> bool:
    f = result.domain.entities[entity].schema.field(name)
    assert f is not None
    return f.required


# -- the repo's example ------------------------------------------------------------------------


def test_example_lists_messages_top_level_first_then_nested() -> None:
    result = load(EXAMPLE)
    assert result.format == "protobuf"
    assert result.listed == (
        "User",
        "CreateUserRequest",
        "ListUsersRequest",
        "UserList",
        "User.Address",
    )
    assert result.domain.primary == "User"
    # imported messages are entities (fields use them) but are not listed
    assert {"Money", "PageInfo"} <= set(result.domain.entities)
    assert "Money" not in result.listed


def test_example_records_are_valid_user_messages() -> None:
    result = prove(EXAMPLE)
    rows = records(result, "User", 200)
    cls = message_class(descriptor_set(EXAMPLE), "User")
    assert cls.DESCRIPTOR.full_name == "example.users.v1.User"
    assert all({"id", "email", "age", "tags", "attributes", "status"} <= set(r) for r in rows)
    assert any("nickname" not in r for r in rows) and any("nickname" in r for r in rows)
    assert any(r.get("loyalty_points", 0) is None for r in rows)  # a nullable wrapper
    assert all("@" in r["email"] for r in rows)
    assert {r["status"] for r in rows} <= {
        "STATUS_UNSPECIFIED",
        "STATUS_ACTIVE",
        "STATUS_SUSPENDED",
        "STATUS_DELETED",
    }
    msg = to_message(rows[0], cls)
    assert json_format.MessageToDict(msg, preserving_proto_field_name=True)["id"] == rows[0]["id"]


def test_example_oneof_every_choice_is_a_variant() -> None:
    result = load(EXAMPLE)
    assert not result.warnings  # the synthesizer draws every variant: nothing is lost
    user = result.domain.entities["User"].schema
    assert user.field("phone") is not None and user.field("secondary_email") is None
    picked = [{f.name for f in v.fields} & {"phone", "secondary_email"} for v in user.variants]
    assert picked == [{"phone"}, {"secondary_email"}]
    assert not required(result, "User", "phone")


def test_profile_round_trip_keeps_variants_and_import_is_deterministic() -> None:
    result = load(EXAMPLE)
    again = domain_from_dict(domain_to_dict(result.domain))
    assert again.entities == result.domain.entities
    assert load(EXAMPLE) == result


def test_descriptions_come_from_comments() -> None:
    result = load(EXAMPLE)
    assert result.domain.entities["User"].schema.description == "A registered user."
    assert field_schema(result, "Money", "currency_code").description == (
        'ISO 4217 currency code, e.g. "EUR".'
    )


# -- scalars, enums, presence --------------------------------------------------------------

SCALARS = """
syntax = "proto3";
package t.scalars;
message Scalars {
  double d = 1; float f = 2; int32 i32 = 3; int64 i64 = 4; uint32 u32 = 5; uint64 u64 = 6;
  sint32 s32 = 7; sint64 s64 = 8; fixed32 f32 = 9; fixed64 f64 = 10; sfixed32 sf32 = 11;
  sfixed64 sf64 = 12; bool b = 13; string s = 14; bytes raw = 15;
  optional string maybe = 16;
  Color color = 17;
  enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
}
"""


def test_scalar_types_and_ranges(tmp_path: Path) -> None:
    result = prove(write(tmp_path, "scalars.proto", SCALARS))
    expect = {
        "i32": (-(2**31), 2**31 - 1),
        "s32": (-(2**31), 2**31 - 1),
        "sf32": (-(2**31), 2**31 - 1),
        "u32": (0, 2**32 - 1),
        "f32": (0, 2**32 - 1),
        "i64": (-(2**63), 2**63 - 1),
        "s64": (-(2**63), 2**63 - 1),
        "sf64": (-(2**63), 2**63 - 1),
        "u64": (0, 2**64 - 1),
        "f64": (0, 2**64 - 1),
    }
    for name, (low, high) in expect.items():
        s = field_schema(result, "Scalars", name)
        assert (s.type, s.minimum, s.maximum) == ("integer", low, high), name
    f = field_schema(result, "Scalars", "f")
    assert f.type == "number" and f.maximum == pytest.approx(3.4028234663852886e38)
    assert field_schema(result, "Scalars", "d").type == "number"
    assert field_schema(result, "Scalars", "b").type == "boolean"
    assert field_schema(result, "Scalars", "raw").format == "byte"
    assert field_schema(result, "Scalars", "color").enum == ("COLOR_UNSPECIFIED", "RED", "GREEN")
    # implicit presence: always there; proto3 `optional`: may be absent, and no oneof variants
    assert required(result, "Scalars", "s") and not required(result, "Scalars", "maybe")
    assert result.domain.entities["Scalars"].schema.variants == ()
    assert result.warnings == ()
    rows = records(result, "Scalars")
    assert all(isinstance(base64.b64decode(r["raw"]), bytes) for r in rows)


def test_declared_ranges_are_the_runtimes(tmp_path: Path) -> None:
    """The bounds the importer declares are exactly what the runtime accepts."""
    path = write(tmp_path, "scalars.proto", SCALARS)
    result = load(path)
    cls = message_class(descriptor_set(path), "Scalars")
    for name in ("i32", "u32", "i64", "u64", "sf32", "f64"):
        s = field_schema(result, "Scalars", name)
        assert s.minimum is not None and s.maximum is not None
        low, high = int(s.minimum), int(s.maximum)
        high = high - 1 if name in ("i64", "u64", "f64") else high  # float rounding of 2^n - 1
        to_message({name: low}, cls)
        to_message({name: high}, cls)
        with pytest.raises(json_format.ParseError):
            to_message({name: low - 1}, cls)


def test_proto2_required_optional_defaults_groups_and_extensions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "legacy.proto",
        """
        syntax = "proto2";
        package t.legacy;
        message Rec {
          required int32 id = 1;
          optional string label = 2 [default = "none"];
          optional Kind kind = 3 [default = SECOND];
          optional bytes blob = 4 [default = "ab"];
          optional double ratio = 5 [default = inf];
          optional bool flag = 6 [default = true];
          repeated group Item = 7 { optional string sku = 8; }
          extensions 100 to 199;
          enum Kind { FIRST = 1; SECOND = 2; }
        }
        extend Rec { optional string note = 100; }
        """,
    )
    result = prove(path)
    assert result.listed == ("Rec", "Rec.Item")
    assert required(result, "Rec", "id") and not required(result, "Rec", "label")
    label = field_schema(result, "Rec", "label")
    assert (label.has_default, label.default) == (True, "none")
    assert field_schema(result, "Rec", "kind").default == "SECOND"
    assert field_schema(result, "Rec", "blob").default == base64.b64encode(b"ab").decode()
    assert not field_schema(result, "Rec", "ratio").has_default  # inf is not JSON
    assert field_schema(result, "Rec", "flag").default is True
    item = field_schema(result, "Rec", "item")
    assert item.type == "array" and item.items == Schema("ref", ref="Rec.Item")
    assert result.warnings == ("Rec: extension field [t.legacy.note] is not generated",)


def test_a_proto2_record_without_a_required_field_is_not_a_message(tmp_path: Path) -> None:
    """ParseDict leaves a proto2 required field unset without a word; serialising then raised
    EncodeError, a traceback out of ``check`` and ``--format protobuf`` (edge_case_user's
    missing_required). Such a record is now a ParseError like any other invalid one."""
    path = write(
        tmp_path,
        "req.proto",
        """
        syntax = "proto2";
        package t.req;
        message Sub { required int32 a = 1; optional int64 b = 2; }
        message Item { required string sku = 1; optional Sub sub = 2; repeated Sub subs = 3; }
        """,
    )
    cls = message_class(descriptor_set(path), "Item")
    assert to_message({"sku": "x", "sub": {"a": 1}, "subs": [{"a": 2}]}, cls).sku == "x"
    for record, missing in (
        ({"sub": {"a": 1}}, "sku"),
        ({"sku": "x", "sub": {"b": "3"}}, "sub.a"),
        ({"sku": "x", "subs": [{"a": 1}, {}]}, "subs[1].a"),
    ):
        with pytest.raises(json_format.ParseError) as info:
            to_message(record, cls)
        assert str(info.value) == f"missing required fields: {missing}"
        assert problem(record, cls) == f"missing required fields: {missing}"
    validate = _protobuf_validator(path, "Item", ())
    assert [i.message for i in validate({"sku": "x", "sub": {}})] == [
        "missing required fields: sub.a"
    ]


def test_editions_presence_features(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ed.proto",
        """
        edition = "2023";
        package t.ed;
        message E {
          int32 a = 1;
          int32 b = 2 [features.field_presence = IMPLICIT];
          string c = 3 [features.field_presence = LEGACY_REQUIRED];
        }
        """,
    )
    result = prove(path)
    assert not required(result, "E", "a")
    assert required(result, "E", "b") and required(result, "E", "c")


def test_google_api_field_behavior(tmp_path: Path) -> None:
    corpus = ROOT / "tests" / "corpus" / "protobuf"
    path = write(
        tmp_path,
        "api.proto",
        """
        syntax = "proto3";
        package t.api;
        import "google/api/field_behavior.proto";
        message Book {
          string name = 1 [(google.api.field_behavior) = IDENTIFIER];
          Shelf shelf = 2 [(google.api.field_behavior) = REQUIRED];
          string etag = 3 [(google.api.field_behavior) = OUTPUT_ONLY];
          string token = 4 [(google.api.field_behavior) = INPUT_ONLY];
          optional string note = 5;
        }
        message Shelf { string theme = 1; }
        """,
    )
    result = prove(path, (corpus,))
    book = result.domain.entities["Book"].schema
    shelf, etag, token, note = (book.field(n) for n in ("shelf", "etag", "token", "note"))
    assert shelf is not None and shelf.required
    assert etag is not None and etag.read_only and not etag.write_only
    assert token is not None and token.write_only and not token.read_only
    assert note is not None and not note.required
    assert all("shelf" in r for r in records(result, "Book"))


# -- composite fields ------------------------------------------------------------------------


def test_repeated_maps_and_nested_messages(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "shapes.proto",
        """
        syntax = "proto3";
        package t.shapes;
        message Order {
          message Line { string sku = 1; uint32 quantity = 2; }
          repeated Line lines = 1;
          repeated string notes = 2;
          repeated Status history = 3;
          map<string, Line> by_sku = 4;
          map<string, int64> counters = 5;
          map<string, Status> states = 6;
          map<bool, string> flags = 7;
          map<int32, string> by_number = 8;
          enum Status { STATUS_UNSPECIFIED = 0; OPEN = 1; SHIPPED = 2; }
        }
        """,
    )
    result = prove(path)
    assert result.listed == ("Order", "Order.Line")
    lines = field_schema(result, "Order", "lines")
    assert lines.type == "array" and lines.items == Schema("ref", ref="Order.Line")
    assert field_schema(result, "Order", "history").items is not None
    by_sku = field_schema(result, "Order", "by_sku")
    assert by_sku.type == "map" and by_sku.values == Schema("ref", ref="Order.Line")
    counters = field_schema(result, "Order", "counters")
    assert counters.values is not None and counters.values.format == "int64"
    flags = field_schema(result, "Order", "flags")
    assert flags.type == "object" and [f.name for f in flags.fields] == ["true", "false"]
    assert field_schema(result, "Order", "by_number") == Schema("object", closed=True)
    assert result.warnings == (
        "Order.by_number: map keys of type int32 cannot be expressed (entity-model maps have "
        "string keys); generated maps are empty",
    )
    rows = records(result, "Order", 100)
    assert any(r["lines"] for r in rows) and any(r["by_sku"] for r in rows)
    assert any(r["flags"] for r in rows)


def test_recursive_messages_terminate(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tree.proto",
        """
        syntax = "proto3";
        package t.tree;
        message Node {
          string name = 1;
          Node parent = 2;
          repeated Node children = 3;
          map<string, Node> by_name = 4;
          oneof extra { Node twin = 5; string label = 6; }
        }
        """,
    )
    result = prove(path)
    assert field_schema(result, "Node", "parent") == Schema("ref", ref="Node")
    assert any("parent" in r for r in records(result, "Node"))


def test_oneofs_become_object_variants(tmp_path: Path) -> None:
    members = " ".join(f"string c{k} = {10 + k};" for k in range(20))
    path = write(
        tmp_path,
        "choice.proto",
        f"""
        syntax = "proto3";
        package t.choice;
        message Pick {{
          string id = 1;
          oneof a {{ string a1 = 2; int32 a2 = 3; }}
          oneof b {{ bool b1 = 4; double b2 = 5; bytes b3 = 6; }}
          oneof single {{ string only = 7; }}
        }}
        message Wide {{
          oneof x {{ {members} }}
          oneof y {{ int32 y1 = 2; int32 y2 = 3; }}
        }}
        """,
    )
    result = prove(path)
    pick = result.domain.entities["Pick"].schema
    assert [f.name for f in pick.fields] == ["id", "a1", "b1", "only"]
    assert all(not f.required for f in pick.fields[1:])
    assert len(pick.variants) == 6  # every combination of a (2) x b (3)
    chosen = {frozenset(f.name for f in v.fields) - {"id", "only"} for v in pick.variants}
    assert chosen == {frozenset({a, b}) for a in ("a1", "a2") for b in ("b1", "b2", "b3")}
    wide = result.domain.entities["Wide"].schema
    assert len(wide.variants) == 20  # too many combinations: each choice once
    assert {f.name for v in wide.variants for f in v.fields} >= {f"c{k}" for k in range(20)}
    assert not result.warnings
    # the runtime really does refuse two members of one oneof: the variants are needed
    cls = message_class(descriptor_set(path), "Pick")
    with pytest.raises(json_format.ParseError):
        to_message({"a1": "x", "a2": 3}, cls)


# -- well-known types -----------------------------------------------------------------------

WELL_KNOWN = """
syntax = "proto3";
package t.wkt;
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
message Event {
  google.protobuf.Timestamp at = 1;
  google.protobuf.Duration took = 2;
  google.protobuf.DoubleValue dv = 3;
  google.protobuf.FloatValue fv = 4;
  google.protobuf.Int64Value i64v = 5;
  google.protobuf.UInt64Value u64v = 6;
  google.protobuf.Int32Value i32v = 7;
  google.protobuf.UInt32Value u32v = 8;
  google.protobuf.BoolValue bv = 9;
  google.protobuf.StringValue sv = 10;
  google.protobuf.BytesValue byv = 11;
  google.protobuf.Struct attrs = 12;
  google.protobuf.Value anything = 13;
  google.protobuf.ListValue list = 14;
  google.protobuf.Empty nothing = 15;
  google.protobuf.FieldMask mask = 16;
  google.protobuf.Any payload = 17;
  google.protobuf.NullValue null = 18;
  repeated google.protobuf.Int32Value scores = 19;
  map<string, google.protobuf.Value> extra = 20;
  repeated google.protobuf.Timestamp seen = 21;
}
"""


def test_well_known_types(tmp_path: Path) -> None:
    result = prove(write(tmp_path, "wkt.proto", WELL_KNOWN), n=100)
    s = {f.name: f.schema for f in result.domain.entities["Event"].schema.fields}
    assert s["at"] == Schema("string", format="date-time")
    assert s["took"].type == "string" and s["took"].pattern
    for name, kind in [("dv", "number"), ("i32v", "integer"), ("bv", "boolean"), ("sv", "string")]:
        assert (s[name].type, s[name].nullable) == (kind, True), name
    assert s["byv"].format == "byte" and s["u64v"].minimum == 0
    assert s["attrs"].type == "map" and s["attrs"].values == Schema("any", nullable=True)
    assert s["anything"] == Schema("any", nullable=True)
    assert s["list"].type == "array"
    assert s["nothing"] == Schema("ref", ref="Empty")
    empty = result.domain.entities["Empty"].schema
    assert (empty.type, empty.fields, empty.closed) == ("object", (), True)
    assert s["mask"].pattern
    assert s["payload"].field("@type") is not None
    assert s["scores"].items is not None and not s["scores"].items.nullable
    assert result.warnings == (
        "Event.payload: google.protobuf.Any: the packed message type is not known; values pack "
        "google.protobuf.Empty",
    )
    rows = records(result, "Event", 100)
    assert any(r.get("dv", 0) is None for r in rows)
    assert all(r["took"].endswith("s") for r in rows if "took" in r)


def test_well_known_type_files_list_no_special_entities(tmp_path: Path) -> None:
    with pytest.raises(SchemaImportError, match="no message types"):
        load(write(tmp_path, "only_enum.proto", 'syntax = "proto3";\nenum E { E_ZERO = 0; }\n'))
    bundled = Path(str(resources.files("grpc_tools"))) / "_proto" / "google" / "protobuf"
    with pytest.raises(SchemaImportError, match="no message types"):
        load(bundled / "timestamp.proto")  # its one message has a string JSON form
    types = prove(bundled / "type.proto")
    assert "Type" in types.listed and "Option" in types.listed


# -- imports and names -----------------------------------------------------------------------


def test_imports_from_the_same_directory_and_from_a_tree(tmp_path: Path) -> None:
    write(
        tmp_path,
        "protos/acme/common/v1/money.proto",
        'syntax = "proto3";\npackage acme.common.v1;\n'
        "message Money { string code = 1; int64 units = 2; }\n",
    )
    write(
        tmp_path,
        "protos/acme/shop/v1/item.proto",
        'syntax = "proto3";\npackage acme.shop.v1;\nmessage Item { string sku = 1; }\n',
    )
    order = write(
        tmp_path,
        "protos/acme/shop/v1/order.proto",
        """
        syntax = "proto3";
        package acme.shop.v1;
        import "acme/common/v1/money.proto";
        import public "acme/shop/v1/item.proto";
        message Order { acme.common.v1.Money total = 1; repeated Item items = 2; }
        """,
    )
    # no include path given: the tree's root is found from the imports
    result = prove(order)
    assert result.listed == ("Order",)
    assert field_schema(result, "Order", "total") == Schema("ref", ref="Money")
    # and with the root given explicitly, through the constructor and through load()
    root = tmp_path / "protos"
    assert load(order, (root,)).listed == ("Order",)
    assert ProtobufImporter().load(order, includes=[root]).listed == ("Order",)


def test_missing_import_names_the_import_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.proto",
        'syntax = "proto3";\nimport "nowhere/b.proto";\nmessage A { int32 x = 1; }\n',
    )
    with pytest.raises(SchemaImportError) as info:
        load(path)
    err = info.value
    assert (err.file, err.line) == (str(path), 2)
    assert 'import "nowhere/b.proto" was not found' in str(err)


def _sibling_folders(tmp: Path) -> Path:
    """``a/order.proto`` imports ``b/money.proto``, which imports ``currency.proto`` beside it."""
    write(
        tmp,
        "protos/b/currency.proto",
        'syntax = "proto3";\npackage b;\nmessage C { string code = 1; }\n',
    )
    write(
        tmp,
        "protos/b/money.proto",
        'syntax = "proto3";\npackage b;\nimport "currency.proto";\n'
        "message Money { C currency = 1; int64 units = 2; }\n",
    )
    return write(
        tmp,
        "protos/a/order.proto",
        'syntax = "proto3";\npackage a;\nimport "b/money.proto";\n'
        "message Order { string id = 1; b.Money total = 2; }\n",
    )


def test_an_imported_file_imports_a_file_beside_it(tmp_path: Path) -> None:
    """An import in an imported file is found in that file's folder, as in the input file's
    (protoc alone looks in the include paths only, so ``currency.proto`` was not found)."""
    order = _sibling_folders(tmp_path)
    result = prove(order)
    assert result.listed == ("Order",)
    assert field_schema(result, "Order", "total") == Schema("ref", ref="Money")


def test_a_missing_import_of_an_imported_file_names_that_file_and_its_folder(
    tmp_path: Path,
) -> None:
    order = _sibling_folders(tmp_path)
    money = tmp_path / "protos" / "b" / "money.proto"
    money.write_text(money.read_text().replace("currency.proto", "gone.proto"), encoding="utf-8")
    with pytest.raises(SchemaImportError) as info:
        load(order)
    err = info.value
    assert (err.file, err.line) == (str(money), 3)
    # the folders looked in, the importing file's first; not grpcio-tools' own folder
    assert f'import "gone.proto" was not found in {money.parent}, ' in str(err)
    assert f"in a folder above {money.parent} or among protobuf's well-known types" in str(err)
    assert "grpc_tools" not in str(err)


def test_files_are_named_as_the_input_was_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input named relative to the current directory: an error in a file it imports names
    that file relative to it too (``../protos/b/money.proto``), as the user would reach it."""
    _sibling_folders(tmp_path)
    money = tmp_path / "protos" / "b" / "money.proto"
    money.write_text(money.read_text().replace("int64 units = 2;", "int64 units = 2"), "utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(SchemaImportError) as info:
        load(Path("../protos/a/order.proto"))
    assert str(info.value).startswith('../protos/b/money.proto:4:49: Expected ";"')


def test_one_file_imported_under_two_names_is_said_so(tmp_path: Path) -> None:
    """``b/currency.proto`` imported as such and, from ``b/money.proto``, as
    ``currency.proto``: protoc's "already defined" gets the reason and the cure."""
    order = _sibling_folders(tmp_path)
    order.write_text(
        order.read_text().replace(
            'import "b/money.proto";', 'import "b/money.proto";\nimport "b/currency.proto";'
        ),
        encoding="utf-8",
    )
    with pytest.raises(SchemaImportError) as info:
        load(order)
    err = info.value
    assert (err.file, err.line) == (str(tmp_path / "protos" / "b" / "currency.proto"), 3)
    assert '"currency.proto" is this file, imported under another name too' in str(err)


def test_import_path_given_by_the_caller(tmp_path: Path) -> None:
    write(
        tmp_path,
        "lib/shared.proto",
        'syntax = "proto3";\npackage lib;\nmessage S { int32 v = 1; }\n',
    )
    path = write(
        tmp_path,
        "app/a.proto",
        'syntax = "proto3";\nimport "shared.proto";\nmessage A { lib.S s = 1; }\n',
    )
    with pytest.raises(SchemaImportError):
        load(path)
    assert load(path, (tmp_path / "lib",)).listed == ("A",)
    with pytest.raises(SchemaImportError, match="not a directory"):
        load(path, (tmp_path / "nope",))


def test_same_short_name_in_two_packages(tmp_path: Path) -> None:
    write(
        tmp_path,
        "other.proto",
        'syntax = "proto3";\npackage other;\nmessage Item { int32 n = 1; }\n',
    )
    path = write(
        tmp_path,
        "main.proto",
        """
        syntax = "proto3";
        package main;
        import "other.proto";
        message Item { string s = 1; other.Item theirs = 2; }
        """,
    )
    result = prove(path)
    assert result.listed == ("Item",)
    assert field_schema(result, "Item", "theirs") == Schema("ref", ref="other.Item")
    assert set(result.domain.entities) == {"Item", "other.Item"}


def test_messages_without_a_package(tmp_path: Path) -> None:
    result = prove(
        write(
            tmp_path,
            "bare.proto",
            'syntax = "proto3";\nmessage Outer { message In { int32 v = 1; } In in = 1; }\n',
        )
    )
    assert result.listed == ("Outer", "Outer.In")


# -- the runtime helpers -------------------------------------------------------------------


def test_descriptor_set_and_message_class() -> None:
    data = descriptor_set(EXAMPLE)
    fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    names = [f.name for f in fds.file]
    assert names[-1] == "user.proto"
    assert {"common.proto", "google/protobuf/timestamp.proto"} <= set(names)
    assert message_class(data, "example.users.v1.User") is message_class(data, "User")
    assert message_class(data, "User.Address").DESCRIPTOR.full_name == (
        "example.users.v1.User.Address"
    )
    assert message_class(data, "Money").DESCRIPTOR.full_name == "example.common.v1.Money"
    with pytest.raises(UnknownNameError, match="Usr"):
        message_class(data, "Usr")


def test_to_message_is_strict() -> None:
    cls = message_class(descriptor_set(EXAMPLE), "User")
    with pytest.raises(json_format.ParseError):
        to_message({"no_such_field": 1}, cls)
    with pytest.raises(json_format.ParseError):
        to_message({"age": 2**31}, cls)
    with pytest.raises(json_format.ParseError):
        to_message({"phone": "1", "secondary_email": "a@b.c"}, cls)


# -- registry and sniffing -----------------------------------------------------------------


def test_registered_under_protobuf_and_proto() -> None:
    assert IMPORTERS.get("protobuf") is ProtobufImporter
    assert FORMAT_ALIASES["proto"] == "protobuf"
    assert ProtobufImporter.name == "protobuf" and ProtobufImporter.extensions == (".proto",)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("x.proto", "", True),
        ("x.txt", 'syntax = "proto3";\n', True),
        ("x.txt", "syntax = 'proto2';", True),
        ("x.txt", 'edition = "2023";', True),
        ("x.txt", "// hi\nmessage User {\n}\n", True),
        ("x.json", '{"type": "object"}', False),
        ("x.sql", "CREATE TABLE message (id int);", False),
    ],
)
def test_sniff(name: str, text: str, expected: bool) -> None:
    assert ProtobufImporter.sniff(Path(name), text) is expected


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('syntax = "proto3";\nmessage A {\n  int32 x = 1\n}\n', 4, 'Expected ";"'),
        ('syntax = "proto3";\nmessage A {\n  Foo x = 1;\n}\n', 3, '"Foo" is not defined'),
        ('syntax = "proto3";\nenum E {\n  ONE = 1;\n}\n', 3, "first enum value"),
        (
            'syntax = "proto3";\nmessage A {\n  int32 x = 1;\n  int32 y = 1;\n}\n',
            4,
            "has already been used",
        ),
        ('syntax = "proto4";\n', 1, "proto4"),
    ],
)
def test_protoc_errors_carry_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = write(tmp_path, "bad.proto", text)
    with pytest.raises(SchemaImportError) as info:
        load(path)
    err = info.value
    assert (err.file, err.line) == (str(path), line)
    assert words in str(err)
    assert str(err).startswith(f"{path}:{line}:{err.column}: ")  # (protoc's column)
    assert "(column" not in str(err)
    assert "\n" not in str(err)


def test_error_in_an_imported_file_points_at_that_file(tmp_path: Path) -> None:
    write(tmp_path, "dep.proto", 'syntax = "proto3";\nmessage D {\n  int32 x = \n}\n')
    path = write(
        tmp_path, "top.proto", 'syntax = "proto3";\nimport "dep.proto";\nmessage T { D d = 1; }\n'
    )
    with pytest.raises(SchemaImportError) as info:
        load(path)
    assert Path(info.value.file).name == "dep.proto" and info.value.line == 4


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "no message types"),
        (b'syntax = "proto3";\n', "no message types"),
        (b'syntax = "proto3";\nmessage \xff {}\n', "not UTF-8"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "x.proto"
    path.write_bytes(content)
    with pytest.raises(SchemaImportError, match=words):
        load(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SchemaImportError, match="file not found"):
        load(tmp_path / "missing.proto")
    with pytest.raises(SchemaImportError, match="directory"):
        load(tmp_path)
    with pytest.raises(SchemaImportError, match="file not found"):
        descriptor_set(tmp_path / "missing.proto")


VALID = EXAMPLE.read_text(encoding="utf-8")
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _only_schema_import_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.proto"
    path.write_text(text, encoding="utf-8")
    try:
        result = ProtobufImporter().load(path)
    except SchemaImportError as exc:
        assert exc.file and "\n" not in str(exc)
        return
    assert result.listed


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(VALID)))
def test_fuzz_truncated_example(tmp_path: Path, cut: int) -> None:
    (tmp_path / "common.proto").write_text(
        (ROOT / "schemas" / "common.proto").read_text(encoding="utf-8"), encoding="utf-8"
    )
    _only_schema_import_errors(tmp_path, VALID[:cut])


_TOKENS = st.sampled_from(
    [
        "syntax",
        "=",
        '"proto3"',
        '"proto2"',
        ";",
        "message",
        "M",
        "{",
        "}",
        "int32",
        "string",
        "x",
        "1",
        "repeated",
        "map<string,",
        ">",
        "oneof",
        "enum",
        "E",
        "optional",
        "import",
        '"google/protobuf/timestamp.proto"',
        "google.protobuf.Timestamp",
        "\n",
        " ",
        "//",
        "/*",
        "*/",
        "package",
        "p.q",
    ]
)


@FUZZ
@given(tokens=st.lists(_TOKENS, max_size=40))
def test_fuzz_token_soup(tmp_path: Path, tokens: list[str]) -> None:
    _only_schema_import_errors(tmp_path, " ".join(tokens))


@FUZZ
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_fuzz_random_text(tmp_path: Path, text: str) -> None:
    _only_schema_import_errors(tmp_path, text)


@pytest.mark.parametrize(
    ("asked", "entity"),
    [
        ("User", "User"),
        ("example.users.v1.User", "User"),  # the full name protoc and gRPC use
        ("EXAMPLE.USERS.V1.user", "User"),
        ("example.users.v1.User.Address", "User.Address"),
        ("v1.User.Address", "User.Address"),
    ],
)
def test_entities_are_found_by_their_fully_qualified_names(asked: str, entity: str) -> None:
    # docs/schema-import.md: "case and package qualification are forgiven"; the package
    # was forgiven only for Avro, whose entities carry it.
    from persona_gen.runtime.schema_import import choose_entity

    assert choose_entity(load(EXAMPLE), asked, EXAMPLE) == entity


def test_a_misspelt_qualified_name_suggests_the_message() -> None:
    from persona_gen.runtime.schema_import import choose_entity

    with pytest.raises(
        UnknownNameError, match=r"'example\.users\.v1\.Usr'\. Did you mean 'User'\?"
    ):
        choose_entity(load(EXAMPLE), "example.users.v1.Usr", EXAMPLE)
    with pytest.raises(UnknownNameError, match=r"unknown entity 'example\.users\.v1\.'\."):
        choose_entity(load(EXAMPLE), "example.users.v1.", EXAMPLE)


_PAYMENT = """syntax = "proto3";
package shop.v1;
message Card { string last4 = 1; }
message Payment {
  string id = 1;
  oneof method { Card card = 2; string voucher_code = 3; int64 points = 4; }
}
message Envelope {
  message Inner { oneof kind { string text = 1; int32 code = 2; } }
  Inner inner = 1;
}
"""


def test_file_rows_carry_every_member_of_a_oneof(tmp_path: Path) -> None:
    # File rows had the columns of a oneof's first member only (card.last4): the rows of
    # the other members (voucher_code, points) lost their value, and a SQL table had no
    # column for them. A nested oneof's object was spread as its first member's columns; it
    # is one JSON column, as a union is.
    from persona_gen import Dataset, PersonaCatalog
    from persona_gen.sinks.tables import table_for

    result = load(write(tmp_path, "pay.proto", _PAYMENT))
    persona = PersonaCatalog([]).get("normal_user")

    def rows(entity: str) -> list[dict[str, object]]:
        dataset = Dataset([(persona, 1.0)], "file", 300, 1, domain=result.domain, entity=entity)
        return [r for block in dataset.blocks() for r in block]

    payments = rows("Payment")
    assert [k for k in payments[0] if not k.startswith("_")] == [
        "id",
        "card.last4",
        "voucher_code",
        "points",
    ]
    for member in ("card.last4", "voucher_code", "points"):
        assert sum(r[member] not in (None, "") for r in payments) > 50, member
    assert all(sum(r[m] is not None for m in ("voucher_code", "points")) <= 1 for r in payments)
    table = table_for(result.domain.entities["Payment"], result.domain)
    assert [c.name for c in table.columns] == ["id", "card.last4", "voucher_code", "points"]
    envelopes = rows("Envelope")
    assert [k for k in envelopes[0] if not k.startswith("_")] == ["inner"]
    kinds = {tuple(json.loads(r["inner"])) for r in envelopes if r["inner"]}
    assert {("text",), ("code",)} <= kinds, kinds
