"""The files and folders a profile names, looked for as ``validate`` does: ``source.file``,
``source.proto_path`` and what a Kafka ``sink:`` reads (``value.schema``,
``value.proto_path``), each a path from the profile's folder (docs/profile-format.md, Paths
in a profile). One problem per path that leads nowhere, at its line and field."""

from __future__ import annotations

from typing import NamedTuple

from persona_gen._yaml import Located, load_yaml
from persona_gen.errors import Problem
from persona_gen.profiles.loader import Profile, dataset_name
from persona_gen.runtime.check_source import find_schema_file, schema_not_found

__all__ = ["PathProblems", "path_problems", "refuse_missing_paths"]


class PathProblems(NamedTuple):
    errors: list[Problem]  # a command using the profile would fail on these
    warnings: list[Problem]  # runs go on without them (the embedded domain stands in)


def path_problems(profile: Profile, sinks: bool = True) -> PathProblems:
    """Each path of ``profile`` that leads nowhere: an error where a run needs it, a warning
    where the runs go on without it (``sinks``: the paths its sinks read too; ``check``
    sends nothing)."""
    located = load_yaml(profile.path)
    found = PathProblems([], [])
    _source_paths(profile, located, found)
    if sinks:
        _sink_paths(profile, located, found)
    for said in found:  # (in file order, as the loader says its problems)
        said.sort(key=lambda p: (p.line or 0, p.column or 0))
    return found


def _source_paths(profile: Profile, located: Located, found: PathProblems) -> None:
    source = profile.spec.source
    if source is None:
        return
    spec = profile.spec
    # (the protobuf output builds its messages from the .proto: without it, nothing is written)
    needs_proto = [
        dataset_name(spec, i) for i, ds in enumerate(spec.datasets) if ds.format == "protobuf"
    ]
    schema = find_schema_file(profile)
    if schema is None:
        missing = f"'{source.file}' was not found {schema_not_found(profile.path, source.file)}"
        if needs_proto:
            found.errors.append(
                located.problem(
                    ("source", "file"),
                    f"{missing}: dataset '{needs_proto[0]}' is written as protobuf, whose "
                    "messages are built from the .proto itself (put it back, or import the "
                    "schema again)",
                )
            )
        elif not (
            source.format == "avro" and any(ds.format == "avro" for ds in spec.datasets)
        ):  # (the avro output says so itself, with what it does instead)
            found.warnings.append(
                located.problem(
                    ("source", "file"),
                    f"{missing}: check holds data to the profile's embedded entity instead",
                )
            )
    compiled = source.format == "protobuf" and (schema is not None or bool(needs_proto))
    for j, folder in enumerate(source.proto_path or []):
        where = profile.path.parent / folder
        if not where.is_dir():
            beside = f" ({where}, from the profile's folder)" if str(where) != folder else ""
            said = located.problem(
                ("source", "proto_path", j), f"'{folder}' is not a folder{beside}"
            )
            (found.errors if compiled else found.warnings).append(said)


def _sink_paths(profile: Profile, located: Located, found: PathProblems) -> None:
    from persona_gen.errors import PersonaGenError
    from persona_gen.sinks.kafka_target import parse_kafka_url
    from persona_gen.sinks.kafka_values import value_problems

    for i, ds in enumerate(profile.spec.datasets):
        sink = profile.sink_of(ds)
        if sink is None or not sink.startswith("kafka://"):
            continue
        try:
            target = parse_kafka_url(sink)
        except PersonaGenError:
            continue  # (the loader said why, at this field)
        for message in value_problems(target.value, target.value_options):
            found.errors.append(located.problem(("datasets", i, "sink"), message))


def refuse_missing_paths(profile: Profile, sinks: bool = True) -> None:
    """Stop, before anything runs, at every path of ``profile`` a run needs and cannot
    find, each said at its line (a run would stop at the first, without one)."""
    from persona_gen.errors import ValidationError

    errors = path_problems(profile, sinks).errors
    if errors:
        raise ValidationError(errors)
