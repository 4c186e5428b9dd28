"""Where the data ``check`` reads came from: the file or database table to read (``locate``,
``table_to_read``), the manifest left beside it (``read_manifest``), the profile's dataset
that made it (``dataset_spec``) and the profile's source schema (``find_schema_file``). Data
another profile made is refused (``provenance``); a file holding fewer or more records than
its manifest says is a problem (``count_against_manifest``)."""

from __future__ import annotations

import glob
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona_gen.entities.builtin import builtin_domain
from persona_gen.errors import UsageError
from persona_gen.profiles.loader import Profile
from persona_gen.runtime.check_report import CheckReport, RecordProblem
from persona_gen.sinks import FORMATS

if TYPE_CHECKING:
    from persona_gen.sinks.database import DatabaseTarget


def find_schema_file(profile: Profile, schema_path: Path | None = None) -> Path | None:
    """The profile's source schema: ``schema_path``; else ``source.file`` from the profile's
    folder (import-schema writes the path from there); else a file of its name beside the
    profile, in ``../schemas/`` or in ``schemas/`` (a profile moved away from its schema)."""
    if schema_path is not None:
        if not schema_path.is_file():
            raise UsageError(f"--schema: {schema_path}: no such file")
        return schema_path
    source = profile.spec.source
    if source is None:
        return None
    name = Path(source.file)
    here = profile.path.parent
    candidates = [name] if name.is_absolute() else []
    candidates += [here / name, here / name.name, here.parent / "schemas" / name.name]
    candidates.append(here / "schemas" / name.name)
    for c in candidates:
        if c.is_file():
            # (profiles/../schemas/user.proto said as ../schemas/user.proto, when it is that)
            plain = Path(os.path.normpath(c))
            return plain if plain.is_file() and plain.samefile(c) else c
    return None


def proto_paths(profile: Profile) -> list[Path]:
    """The folders a Protobuf profile's ``.proto`` imports are searched in besides those
    found from the imports (``source.proto_path``, from ``import-schema -I``): each a path
    from the profile's folder, as ``source.file`` is."""
    source = profile.spec.source
    if source is None or not source.proto_path:
        return []
    return [profile.path.parent / folder for folder in source.proto_path]


def schema_not_found(profile_path: Path, source_file: str) -> str:
    """Where ``find_schema_file`` looked for a profile's schema, said after "not found"."""
    name = Path(source_file)
    where = f"from the folder of {profile_path}"
    if name.name != str(name):
        where += f", nor '{name.name}'"
    return where + " beside it, in schemas/ or in ../schemas/"


def locate(data: Path | str) -> tuple[Path, str | None, DatabaseTarget | None]:
    """The file to read; for a ``sqlite:///PATH[?table=NAME]`` or
    ``postgresql://USER@HOST:PORT/DB[?table=NAME]`` URL, the table ("" for the entity's own);
    and for a PostgreSQL URL the server (its path is then a placeholder, never read)."""
    if isinstance(data, Path) or "://" not in data:
        return Path(data), None, None
    from persona_gen.sinks.database import parse_database_url

    target = parse_database_url(data)
    if target.path is None:
        return Path(), target.table or "", target
    return target.path, target.table or "", None


def read_manifest(
    data_path: Path, database: bool = False, table: str | None = None
) -> dict[str, Any]:
    """The manifest beside the data, ``FILE.manifest.json``; for a SQLite database the one a
    load into it left (``DB.DATASET.manifest.json``): the one that filled ``table``, or the
    only one. A load that was rolled back (``committed: false``) left no rows, so its
    manifest (which replaced the one of the load that did) tells nothing about the table."""
    doc = _json_object(data_path.with_name(data_path.name + ".manifest.json"))
    if doc or not database or not data_path.name:
        return doc
    pattern = glob.escape(data_path.name) + ".*.manifest.json"
    loads = [
        d
        for p in sorted(data_path.parent.glob(pattern))
        if (d := _json_object(p)) and _committed(d)
    ]
    if table:
        loads = [d for d in loads if table.lower() in map(str.lower, _loaded_tables(d))]
    return loads[0] if len(loads) == 1 else {}


def _committed(manifest: dict[str, Any]) -> bool:
    delivery = manifest.get("delivery")
    return not isinstance(delivery, dict) or delivery.get("committed") is not False


def _loaded_tables(manifest: dict[str, Any]) -> list[str]:
    delivery = manifest.get("delivery")
    tables = delivery.get("tables") if isinstance(delivery, dict) else None
    return [str(t) for t in tables] if isinstance(tables, dict) else []


def _json_object(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _loaded_table(manifest: dict[str, Any]) -> str | None:
    """The table a committed load put its dataset's own rows in (not the tables of parent
    rows generated for them): it was named by the load's ``?table=`` or is the entity's.
    None when the manifest is not a load's, or names several such tables."""
    delivery = manifest.get("delivery")
    tables = delivery.get("tables") if isinstance(delivery, dict) else None
    if not isinstance(tables, dict) or not _committed(manifest):
        return None
    own = [
        str(name)
        for name, counts in tables.items()
        if not (isinstance(counts, dict) and counts.get("generated_for"))
    ]
    return own[0] if len(own) == 1 else None


def table_to_read(
    url_table: str | None,
    manifest: dict[str, Any],
    sink: str | None,
    where: str,
) -> tuple[str | None, str]:
    """The table of the database ``where`` (its URL, without ``?table=``) to read, and what
    to say when it is not there. A URL's ``?table=`` first; else the table the load beside
    the data filled (a load's ``?table=`` names it in the manifest, not in the file), else
    the one the profile's dataset loads into that database (``sink``, its paths from the
    profile's folder: ``Profile.sink_of``); else None, the entity's own."""
    if url_table:
        return url_table, ""
    from persona_gen.sinks.database import same_database

    table = _loaded_table(manifest)
    if table is None and sink and same_database(sink) == same_database(where):
        table = _url_table(sink)
    options = "&" if "?" in where else "?"
    return table, f"; name the table to check: {where}{options}table=NAME"


def dataset_spec(
    profile: Profile, data_path: Path | None, manifest: dict[str, Any], url: str | None = None
) -> Any:
    """The profile's dataset the data came from: named by the manifest, written to a file of
    that name, or (a database URL) loaded into that database."""
    from persona_gen.sinks.database import same_database

    specs = profile.spec.datasets
    name = manifest.get("dataset")
    database = same_database(url) if url is not None else None
    table = _url_table(url) if url is not None else None
    loaded_there = [
        ds
        for ds in specs
        if database is not None
        and (sink := profile.sink_of(ds))
        and same_database(sink) == database
    ]
    for i, ds in enumerate(specs):
        ds_name = ds.name or f"{profile.spec.name}_{ds.type}_{i + 1}"
        if name is not None and ds_name == name:
            return ds
        # (of several datasets loaded into one database, the one whose table is asked for)
        if ds in loaded_there and (
            not table or len(loaded_there) == 1 or _dataset_table(profile, ds) == table
        ):
            return ds
        output = ds.output or f"{ds_name}.{FORMATS.get(ds.format).extension}"
        if data_path is not None and Path(output).name == data_path.name:
            return ds
    return specs[0] if len(specs) == 1 else None


def _url_table(url: str) -> str | None:
    from persona_gen.sinks.database import parse_database_url

    try:
        return parse_database_url(url).table or None
    except UsageError:
        return None


def _dataset_table(profile: Profile, ds: Any) -> str:
    """The table a profile's dataset loads into: its sink's ``table`` option, else its
    entity's table."""
    from persona_gen.sinks.tables import table_name

    own = _url_table(ds.sink) if ds.sink else None  # (a table name: no path to resolve)
    if own:
        return own
    domain = profile.domain or builtin_domain("user")
    return table_name(profile.domain, domain.entity(ds.entity))


def provenance(manifest: dict[str, Any], profile: Profile, data_path: Path) -> list[str]:
    """Refuse data whose manifest names another profile (every record would "fail" for the
    wrong reason); warn when the same profile has changed since the data was made."""
    made_by = manifest.get("profile")
    if made_by is None:
        return []
    made_from = manifest.get("source") or {}
    source = profile.spec.source
    if made_by != profile.spec.name or (
        made_from.get("sha256") and (source is None or source.sha256 != made_from["sha256"])
    ):
        origin = f" (imported from {made_from['file']})" if made_from.get("file") else ""
        raise UsageError(
            f"{data_path}: its manifest says it was generated from profile '{made_by}'"
            f"{origin}, not from {profile.path}; check it with --profile of that profile"
        )
    made_hash = manifest.get("profile_hash")
    if made_hash and made_hash != profile.content_hash:
        return [f"{profile.path} has changed since {data_path.name} was generated from it"]
    return []


def count_against_manifest(
    report: CheckReport, manifest: dict[str, Any], read: int, limit: int
) -> None:
    """A file holding another number of records than its manifest says were written to it
    is cut short (a copy or a run that stopped part-way) or is not the file the manifest
    describes: its records may all be fine, the dataset is not."""
    written = manifest.get("count")
    if manifest.get("delivery") or not isinstance(written, int) or written == read:
        return  # (a sink's manifest counts what went to the sink, not into a file)
    report.add_problem(
        RecordProblem(
            read,
            "incomplete",
            f"the file holds {read} records, but its manifest says {written} were written",
        ),
        limit,
    )


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
