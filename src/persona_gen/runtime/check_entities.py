"""Which entity a record ``check`` holds to the schema is: ``Entities`` tells it, in one
domain, from an api request's operation or a streaming event's type; ``PersonaKinds`` tells
the built-in domain of records (when the profile has none) from the personas that made them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from persona_gen.entities.builtin import builtin_domain, crud_operations
from persona_gen.entities.model import Domain, Operation
from persona_gen.errors import PersonaGenError
from persona_gen.personas.loader import PersonaCatalog
from persona_gen.profiles.loader import Profile
from persona_gen.runtime.records import FileRowShape, text_cell

# A record's domain, the entities of its domain, and (file rows) how its columns nest.
Resolved = tuple[Domain, "Entities", FileRowShape | None]


def _op_pattern(op: Operation) -> re.Pattern[str]:
    parts = []
    for seg in op.path.strip("/").split("/"):
        if re.fullmatch(r"v\d+", seg):
            parts.append(r"v\d+")
        else:
            parts.append(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(seg)))
    return re.compile(r"^(?:/v\d+)?/" + "/".join(parts) + r"(?:/batch)?/?$")


class Entities:
    """Which entity a record's governed part is, for one domain."""

    def __init__(self, domain: Domain, default: str) -> None:
        self.domain = domain
        self.default = default
        self.ops = [
            (op, _op_pattern(op))
            for op in domain.operations
            if op.method in ("POST", "PUT") and op.request_body
        ]
        # (a domain without operations is served by the generic CRUD ones, as the api
        # generator serves it: for the dataset's entity)
        every = list(domain.operations)
        if not every and default in domain.entities:
            every = crud_operations(domain.entities[default])
        self.every_op = [(op, _op_pattern(op)) for op in every]

    def of(self, record: dict[str, Any], generator: str, text: bool) -> str:
        if generator == "streaming":
            event = record.get("event_type")
            found = self.domain.events.get(event) if isinstance(event, str) else None
            return found if found in self.domain.entities else self.default
        op = self.operation(record, generator, text)
        return (op.entity or self.default) if op is not None else self.default

    def operation(self, record: dict[str, Any], generator: str, text: bool) -> Operation | None:
        """The operation an api record's request is of (None: not known)."""
        if generator == "api":
            request = text_cell(record.get("request")) if text else record.get("request")
            if isinstance(request, dict):
                method, path = request.get("method"), str(request.get("path", ""))
                for op, pattern in self.ops:
                    if op.method == method and pattern.match(path):
                        return op
        return None

    def replying(self, record: dict[str, Any], text: bool) -> Operation | None:
        """The operation of any method an api record's request is of, whose reply it holds
        (None: not known)."""
        request = text_cell(record.get("request")) if text else record.get("request")
        if isinstance(request, dict):
            method, path = request.get("method"), str(request.get("path", ""))
            for op, pattern in self.every_op:
                if op.method == method and pattern.match(path.split("?", 1)[0]):
                    return op
        return None


class PersonaKinds:
    """The built-in population kind (user, device…) of records, which picks their domain when
    the profile has none: a record naming its persona is of that persona's kind; the others
    (file rows, table rows, Avro parts) of the kind shared by every persona that may have
    made the data — those its manifest names, else its dataset's in the profile, else the
    profile's. ``default`` is None (``why`` says why) when that cannot be told."""

    def __init__(
        self, catalog: PersonaCatalog, manifest: dict[str, Any], spec: Any, profile: Profile
    ) -> None:
        self.catalog = catalog
        made_by = manifest.get("personas")
        listed = [p for p in made_by if isinstance(p, dict)] if isinstance(made_by, list) else []
        # (a persona from a -p directory is found through the file the manifest names)
        self.sources = {str(p["name"]): p.get("source") for p in listed if p.get("name")}
        self._kinds: dict[str, str | None] = {}
        if self.sources:
            names, origin = list(self.sources), "its manifest"
        elif spec is not None and spec.personas:
            names, origin = list(spec.personas), f"its dataset '{spec.name}' in {profile.path}"
        else:
            names, origin = [p.name for p in profile.spec.personas], str(profile.path)
        kinds = {name: self.of(name) for name in names}
        self.candidates = sorted({k for k in kinds.values() if k is not None})
        # (kinds differ in their api operations and events; file rows are the primary entity)
        made = {n: builtin_domain(k).primary for n, k in kinds.items() if k is not None}
        self.default: str | None = None
        self.why = ""
        unknown = [name for name, kind in kinds.items() if kind is None]
        if unknown:
            self.why = (
                f"cannot tell which entity its records are: {origin} names persona "
                f"{', '.join(repr(n) for n in unknown)}, which is not found"
            )
        elif len(set(made.values())) > 1:
            pairs = ", ".join(f"{n} → {e}" for n, e in made.items())
            self.why = (
                "cannot tell which entity its records are: they do not name their persona, "
                f"and the personas {origin} names make different ones ({pairs}); check data "
                "with the manifest it was written with beside it, or with a profile whose "
                "personas make one entity"
            )
        else:
            self.default = self.candidates[0]

    def of(self, name: str) -> str | None:
        """The population kind of persona ``name`` (None: not found)."""
        if name not in self._kinds:
            self._kinds[name] = self._find(name)
        return self._kinds[name]

    def _find(self, name: str) -> str | None:
        source = self.sources.get(name)
        if isinstance(source, str) and Path(source).stem == name and Path(source).is_file():
            try:
                return PersonaCatalog([Path(source).parent]).get(name).population.kind
            except PersonaGenError:
                pass
        try:
            return self.catalog.get(name).population.kind
        except PersonaGenError:
            return None

    def for_record(self, record: dict[str, Any]) -> str | None:
        persona = record.get("persona")
        kind = self.of(persona) if isinstance(persona, str) and persona else None
        return kind or self.default
