"""Read the schema statements of an SQL script into table drafts, then into entities."""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy

from persona_gen.entities.model import Domain, Entity, Field, ForeignKey, Schema
from persona_gen.importers._ddl.checks import (
    ColumnDraft,
    apply_check,
    check_columns,
    check_line,
    is_literal,
    literal_value,
    not_expressed_reason,
    settle_exclusions,
)
from persona_gen.importers._ddl.split import Statement
from persona_gen.importers._ddl.support import (
    auto_numbered,
    bare_name,
    coerce_default,
    db_computed,
    error_detail,
    key_names,
    short,
)
from persona_gen.importers._ddl.types import (
    DATETIMES,
    NAIVE_DATETIMES,
    SERIALS,
    TypeContext,
    UserType,
    map_type,
)

__all__ = ["DdlError", "Reader"]

_WORD = r"(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[\w$]+)"
_NAME = rf"{_WORD}(?:\s*\.\s*{_WORD})*"
_CREATE_TABLE = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?"
    r"(?:(TEMP|TEMPORARY|UNLOGGED|VIRTUAL)\s+)?TABLE\b",
    re.IGNORECASE,
)
_CREATE_TYPE = re.compile(r"^CREATE\s+TYPE\b", re.IGNORECASE)
_CREATE_DOMAIN = re.compile(rf"^CREATE\s+DOMAIN\s+({_NAME})\s+(?:AS\s+)?(.*)$", re.I | re.S)
_ALTER_TABLE = re.compile(r"^ALTER\s+TABLE\b", re.IGNORECASE)
_ALTER_CHANGES = re.compile(r"\b(ADD|ALTER\s+COLUMN|DROP|RENAME|MODIFY)\b", re.IGNORECASE)
_UNIQUE_INDEX = re.compile(
    r"^CREATE\s+UNIQUE\s+(?:CLUSTERED\s+|NONCLUSTERED\s+)?INDEX\b", re.IGNORECASE
)
_COMMENT = re.compile(r"^COMMENT\s+ON\s+(?:COLUMN|TABLE)\b", re.IGNORECASE)
_TRIGGER = re.compile(
    rf"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"({_NAME})",
    re.IGNORECASE,
)
# ALTER TABLE changes that do not touch values (storage, statistics, ownership...).
_ALTER_IGNORED = re.compile(
    r"\bALTER\s+COLUMN\s+\S+\s+SET\s+(?:STATISTICS|STORAGE|COMPRESSION|\()",
    re.IGNORECASE,
)
# Clauses sqlglot does not read that say nothing about values: tried without on failure.
_NOISE_CLAUSES = re.compile(
    r"\b(?:NOT\s+)?DEFERRABLE\b|\bINITIALLY\s+(?:DEFERRED|IMMEDIATE)\b|\bNOT\s+VALID\b"
    r"|\bWITH\s+(?:NO)?CHECK\b(?=\s+ADD\b)|\bWITHOUT\s+OIDS\b",
    re.IGNORECASE,
)
_LOWER, _UPPER = NormalizationStrategy.LOWERCASE, NormalizationStrategy.UPPERCASE
_TABLE_OPTIONS = re.compile(r"\)\s*(?:(?:WITHOUT\s+ROWID|STRICT)\s*,?\s*)+$", re.IGNORECASE)
_IGNORED_COLUMN_CONSTRAINTS = (
    exp.CollateColumnConstraint,
    exp.CharacterSetColumnConstraint,
    exp.OnUpdateColumnConstraint,
    exp.ZeroFillColumnConstraint,
    exp.IndexColumnConstraint,
)


_FEW_COMBINATIONS = 1_000_000


def _value_count(s: Schema) -> int | None:
    """How many values a column can take, when few (enums, booleans, bounded integers)."""
    if s.has_const:
        return 1
    if s.enum is not None:
        return len(s.enum)
    if s.type == "boolean":
        return 2
    if s.type == "integer" and s.minimum is not None and s.maximum is not None:
        return max(0, math.floor(s.maximum) - math.ceil(s.minimum) + 1)
    return None


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


class DdlError(ValueError):
    """A statement that cannot be read; ``line`` is the line in the script."""

    def __init__(self, message: str, line: int | None) -> None:
        self.line = line
        super().__init__(message)


@dataclass
class TableDraft:
    name: str
    line: int
    columns: dict[str, ColumnDraft] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    unique: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = field(default_factory=list)
    description: str | None = None
    schema: str | None = None  # the database schema that holds it (``app`` of ``app.t``)

    def column(self, name: str) -> ColumnDraft | None:
        found = self.columns.get(name)
        if found is not None:
            return found
        lower = name.lower()
        for key, col in self.columns.items():
            if key.lower() == lower:
                return col
        return None


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to a raw Command; the caller reports it."""
    logger = logging.getLogger("sqlglot")
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before


class Reader:
    """Reads statements in order, keeping every table, enum, domain and constraint found."""

    def __init__(self, dialects: list[str]) -> None:
        self.dialects = dialects
        self.dialect = dialects[0]
        self.tables: dict[str, TableDraft] = {}  # lower-cased name -> draft, file order
        self.warnings: list[str] = []
        self.types = TypeContext(dialects[0], {}, self.warn)  # (with the line)
        self.line = 0
        folding = Dialect.get_or_raise(self.dialect)
        strategy = folding.normalization_strategy
        self.folding = folding if strategy in (_LOWER, _UPPER) else None

    # -- statements ------------------------------------------------------------------------

    def read(self, stmt: Statement) -> None:
        self.line = stmt.line
        text = stmt.text
        m = _CREATE_TABLE.match(text)
        if m:
            if (m.group(1) or "").upper() == "VIRTUAL":
                self.warn("virtual table not imported (its columns belong to a module)")
                return
            tree = self.parse(_TABLE_OPTIONS.sub(")", text), stmt, "CREATE TABLE")
            if isinstance(tree, exp.Create):
                self.create_table(tree)
            return
        if _CREATE_TYPE.match(text):
            tree = self.parse(text, stmt, "CREATE TYPE", required=False)
            if isinstance(tree, exp.Create):
                self.create_type(tree)
            return
        m = _CREATE_DOMAIN.match(text)
        if m:
            self.create_domain(m.group(1), m.group(2), stmt)
            return
        if _ALTER_TABLE.match(text):
            tree = self.parse(text, stmt, "ALTER TABLE", required=False)
            if isinstance(tree, exp.Alter):
                self.alter_table(tree)
            elif _ALTER_CHANGES.search(text) and not _ALTER_IGNORED.search(text):
                self.warn(f"ALTER TABLE not understood, not expressed: {short(text)}")
            return
        if _UNIQUE_INDEX.match(text):
            tree = self.parse(text, stmt, "CREATE UNIQUE INDEX", required=False)
            if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Index):
                self.unique_index(tree.this)
            else:
                self.warn(f"unique index not understood, not expressed: {short(text)}")
            return
        if _COMMENT.match(text):
            tree = self.parse(text, stmt, "COMMENT", required=False)
            if isinstance(tree, exp.Comment):
                self.comment(tree)
            return
        m = _TRIGGER.match(text)
        if m:
            self.warn(f"trigger {bare_name(m.group(1))} not expressed (it runs in the database)")

    def parse(
        self, text: str, stmt: Statement, what: str, required: bool = True
    ) -> exp.Expression | None:
        error: Exception | None = None
        cleaned = _NOISE_CLAUSES.sub(" ", text)
        attempts = [(d, t) for t in dict.fromkeys([text, cleaned]) for d in self.dialects]
        for dialect, variant in attempts:
            try:
                with _quiet_sqlglot():
                    tree = sqlglot.parse_one(variant, read=dialect)
            except Exception as exc:  # any sqlglot failure is a parse failure
                error = error or exc
                continue
            if not isinstance(tree, exp.Expression) or isinstance(tree, exp.Command):
                error = error or ValueError("unsupported syntax")
                continue
            if dialect != self.dialect:
                self.warn(f"{what} read as {dialect} SQL")
            return self.fold(tree)
        if not required:
            if what != "ALTER TABLE":
                self.warn(f"{what} not understood, not expressed: {short(text)}")
            return None
        line, detail = stmt.line, error_detail(error)
        errors = getattr(error, "errors", None)
        if errors and isinstance(errors[0], dict) and errors[0].get("line"):
            line = stmt.line + int(errors[0]["line"]) - 1
        raise DdlError(f"cannot parse {what} statement: {detail}", line)

    def warn(self, message: str) -> None:
        self.warnings.append(f"line {self.line}: {message}")

    def fold(self, tree: exp.Expression) -> exp.Expression:
        """Unquoted identifiers as the script's database stores them: PostgreSQL folds them
        to lower case (``CREATE TABLE Job (JobId ...)`` makes ``job(jobid)``), Oracle and
        Snowflake to upper case; quoted ones keep their case. MySQL, SQLite and SQL Server
        keep names as written (and compare them without case where they must)."""
        if self.folding is None:
            return tree
        for ident in tree.find_all(exp.Identifier):
            if not ident.quoted:
                self.folding.normalize_identifier(ident)
        return tree

    # -- CREATE TABLE ----------------------------------------------------------------------

    def create_table(self, tree: exp.Create) -> None:
        target = tree.this
        items: list[exp.Expression] = []
        if isinstance(target, exp.Schema):
            items = list(target.expressions)
            target = target.this
        if not isinstance(target, exp.Table) or not target.name:
            raise DdlError("CREATE TABLE without a table name", self.line)
        name = target.name
        if not isinstance(tree.this, exp.Schema) and tree.expression is None:
            raise DdlError(f"CREATE TABLE {name} has no column list", self.line)
        if tree.expression is not None:
            self.warn(f"table {name} is created from a query; its columns are not known")
            return
        key = name.lower()
        schema = target.db or None
        if key in self.tables:
            before = self.tables[key].schema
            if before != schema:  # (entities are named as tables: one per name)
                self.warn(
                    f"table {_qualified(schema, name)} has the name of table "
                    f"{_qualified(before, self.tables[key].name)} (line "
                    f"{self.tables[key].line}); one entity per name: the later one is used"
                )
            else:
                self.warn(f"table {name} defined again; the later definition is used")
            del self.tables[key]
        if schema is not None and "." in schema:
            self.warn(f"table {name}: schema name {schema!r} holds a dot; not kept")
            schema = None
        table = TableDraft(name, self.line, schema=schema)
        properties = tree.args.get("properties")
        for prop in properties.expressions if properties else []:
            if isinstance(prop, exp.InheritsProperty):
                for parent in prop.expressions:
                    self.copy_columns(table, parent, "INHERITS")
            elif isinstance(prop, exp.PartitionedOfProperty):
                self.copy_columns(table, prop.this, "PARTITION OF")
        for item in items:
            self.table_item(table, item)
        self.tables[key] = table

    def copy_columns(self, table: TableDraft, parent: exp.Expression, how: str) -> None:
        source = self.tables.get(parent.name.lower()) if isinstance(parent, exp.Table) else None
        if source is None:
            self.warn(f"table {table.name}: {how} {parent.sql()} is not defined in this file")
            return
        for col in source.columns.values():
            table.columns[col.name] = dataclasses.replace(col, excluded=list(col.excluded))
        if how != "INHERITS":  # inherited tables do not inherit keys
            table.primary_key = source.primary_key
            table.unique = list(source.unique)
            table.foreign_keys = list(source.foreign_keys)

    def table_item(self, table: TableDraft, item: exp.Expression) -> None:
        if isinstance(item, exp.ColumnDef):
            self.column_def(table, item)
        elif isinstance(item, exp.Identifier):  # SQLite: a column without a type
            table.columns[item.name] = ColumnDraft(item.name, Schema("any"))
        elif isinstance(item, exp.Constraint):
            for inner in item.expressions:
                self.table_constraint(table, inner, item.expressions)
        elif isinstance(item, exp.LikeProperty):
            self.copy_columns(table, item.this, "LIKE")
        else:
            self.table_constraint(table, item, [item])

    def table_constraint(
        self, table: TableDraft, item: exp.Expression, siblings: list[exp.Expression]
    ) -> None:
        if isinstance(item, exp.PrimaryKey):
            self.set_primary_key(table, key_names(item.expressions))
        elif isinstance(item, exp.PrimaryKeyColumnConstraint):  # SQL Server: CLUSTERED (...)
            for sib in siblings:
                if isinstance(
                    sib, exp.ClusteredColumnConstraint | exp.NonClusteredColumnConstraint
                ):
                    self.set_primary_key(table, key_names(sib.this or []))
        elif isinstance(item, exp.UniqueColumnConstraint):
            cols = item.this.expressions if isinstance(item.this, exp.Schema) else []
            for sib in siblings:
                if isinstance(
                    sib, exp.ClusteredColumnConstraint | exp.NonClusteredColumnConstraint
                ):
                    cols = sib.this or []
            self.add_unique(table, key_names(cols))
        elif isinstance(item, exp.ForeignKey):
            self.add_foreign_key(table, key_names(item.expressions), item.args.get("reference"))
        elif isinstance(item, exp.CheckColumnConstraint):
            self.check(table, item.this)
        elif isinstance(
            item,
            exp.IndexColumnConstraint
            | exp.ClusteredColumnConstraint
            | exp.NonClusteredColumnConstraint
            | exp.OnProperty,
        ):
            return  # plain indexes and storage places do not constrain values
        else:
            self.warn(f"table {table.name}: {short(item.sql(self.dialect))} not expressed")

    def _second_digits(self, kind: Any) -> int | None:
        """The digits of a second a date-time column keeps, when fewer than 3: its
        ``TIMESTAMP(p)``, or MySQL's 0 for a ``DATETIME`` or ``TIMESTAMP`` without one."""
        if not isinstance(kind, exp.DataType) or kind.this not in DATETIMES:
            return None
        if kind.expressions:
            digits = literal_value(kind.expressions[0].this)
            return digits if isinstance(digits, int) and 0 <= digits < 3 else None
        return 0 if self.dialect == "mysql" else None

    def column_def(self, table: TableDraft, cdef: exp.ColumnDef) -> ColumnDraft:
        name = cdef.name
        where = f"{table.name}.{name}"
        kind = cdef.args.get("kind")
        schema, not_null = map_type(kind, self.types, where)
        col = ColumnDraft(name, schema, not_null=not_null)
        col.filled = isinstance(kind, exp.DataType) and kind.this in SERIALS
        col.naive = isinstance(kind, exp.DataType) and kind.this in NAIVE_DATETIMES
        col.second_digits = self._second_digits(kind)
        table.columns[name] = col
        for cons in cdef.constraints:
            kind = cons.args.get("kind") if isinstance(cons, exp.ColumnConstraint) else cons
            self.column_constraint(table, col, kind)
        return col

    def column_constraint(self, table: TableDraft, col: ColumnDraft, kind: Any) -> None:
        where = f"{table.name}.{col.name}"
        if isinstance(kind, exp.NotNullColumnConstraint):
            col.not_null = not kind.args.get("allow_null")
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            self.set_primary_key(table, (col.name,))
        elif isinstance(kind, exp.UniqueColumnConstraint):
            self.add_unique(table, (col.name,))
        elif isinstance(kind, exp.DefaultColumnConstraint):
            self.set_default(col, kind.this, where)
        elif isinstance(kind, exp.CheckColumnConstraint):
            self.check(table, kind.this)
        elif isinstance(kind, exp.Reference):
            self.add_foreign_key(table, (col.name,), kind)
        elif isinstance(kind, exp.AutoIncrementColumnConstraint):
            col.schema = auto_numbered(col.schema)
            col.filled = True
        elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            if kind.args.get("expression") is not None:
                self.computed(col, where)
            else:  # an identity column is NOT NULL (PostgreSQL, SQL Server, the standard)
                col.schema = auto_numbered(col.schema)
                col.not_null = True
                col.filled = True
                col.identity_always = kind.args.get("this") is True
        elif isinstance(kind, exp.ComputedColumnConstraint | exp.GeneratedAsRowColumnConstraint):
            self.computed(col, where)
        elif isinstance(kind, exp.CommentColumnConstraint):
            text = literal_value(kind.this)
            if isinstance(text, str):
                col.schema = dataclasses.replace(col.schema, description=text)
        elif isinstance(kind, exp.Constraint):  # CONSTRAINT name <constraint>
            for inner in kind.expressions:
                self.column_constraint(table, col, inner)
        elif kind is None or isinstance(kind, _IGNORED_COLUMN_CONSTRAINTS):
            return
        else:
            self.warn(f"{where}: {short(kind.sql(self.dialect))} not expressed")

    def computed(self, col: ColumnDraft, where: str) -> None:
        col.read_only = True
        self.warn(f"{where}: generated column; values are not computed (read-only, omit it)")

    def set_default(self, col: ColumnDraft, node: exp.Expression, where: str) -> None:
        # (DEFAULT NULL fills a column with what leaving it out gives anyway)
        col.filled = col.filled or not isinstance(node, exp.Null)
        value = literal_value(node)
        if not is_literal(value):
            if not db_computed(node):
                self.warn(f"{where}: DEFAULT {short(node.sql(self.dialect))} not expressed")
            return
        ok, coerced = coerce_default(value, col.schema)
        if ok:
            col.schema = dataclasses.replace(col.schema, default=coerced, has_default=True)
        else:
            self.warn(f"{where}: DEFAULT {short(node.sql(self.dialect))} not expressed")

    def check(self, table: TableDraft, condition: exp.Expression) -> None:
        for failed in apply_check(condition, table.column, self.line):
            self.not_expressed(table, failed, check_line(failed, self.line))

    def not_expressed(
        self, table: TableDraft, check: exp.Expression, line: int, reason: str = ""
    ) -> None:
        """One line for a CHECK part left out: where, its table and columns, its text, why."""
        columns = check_columns(check, table.column)
        where = f"table {table.name}"
        if columns:
            where += f", column{'s' if len(columns) > 1 else ''} {', '.join(columns)}"
        reason = reason or not_expressed_reason(check, table.column)
        self.warnings.append(
            f"line {line}: {where}: CHECK ({short(check.sql(self.dialect))}) not expressed"
            + (f": {reason}" if reason else "")
        )

    def settle(self, table: TableDraft) -> None:
        """The values its CHECKs rule out (``col <> v``), now that its other CHECKs are known."""
        for col in table.columns.values():
            for ex in settle_exclusions(col):
                why = "only a column with a list of values (IN, an enum) can leave one out"
                self.not_expressed(table, ex.check, ex.line, why)

    def set_primary_key(self, table: TableDraft, cols: tuple[str, ...]) -> None:
        table.primary_key = self.known_columns(table, cols)

    def add_unique(self, table: TableDraft, cols: tuple[str, ...]) -> None:
        resolved = self.known_columns(table, cols)
        if resolved and resolved not in table.unique:
            table.unique.append(resolved)

    def known_columns(self, table: TableDraft, cols: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for name in cols:
            col = table.column(name)
            if col is None:
                self.warn(f"table {table.name}: key column {name} is not a column of the table")
                return ()
            out.append(col.name)
        return tuple(out)

    def add_foreign_key(
        self, table: TableDraft, cols: tuple[str, ...], ref: exp.Expression | None
    ) -> None:
        if not isinstance(ref, exp.Reference):
            self.warn(f"table {table.name}: foreign key without a reference not expressed")
            return
        target = ref.this
        refs: tuple[str, ...] = ()
        if isinstance(target, exp.Schema):
            refs = key_names(target.expressions)
            target = target.this
        resolved = self.known_columns(table, cols)
        if resolved and isinstance(target, exp.Table):
            table.foreign_keys.append((resolved, target.name, refs))

    # -- other statements ------------------------------------------------------------------

    def create_type(self, tree: exp.Create) -> None:
        name = tree.this.name.lower() if isinstance(tree.this, exp.Expression) else ""
        body = tree.expression
        if isinstance(body, exp.DataType) and body.this == exp.DataType.Type.ENUM:
            members = tuple(str(literal_value(e)) for e in body.expressions)
            self.types.user_types[name] = UserType(Schema("string", enum=members))
        elif isinstance(body, exp.Schema):
            draft = TableDraft(name, self.line)
            for item in body.expressions:
                if isinstance(item, exp.ColumnDef):
                    self.column_def(draft, item)
            self.settle(draft)
            fields = tuple(
                Field(c.name, dataclasses.replace(c.schema, nullable=not c.not_null))
                for c in draft.columns.values()
            )
            schema = Schema("object", fields=fields, closed=True)
            self.types.user_types[name] = UserType(schema, kind="composite")

    def create_domain(self, name: str, rest: str, stmt: Statement) -> None:
        text = f"CREATE TABLE __domain__ (value {rest})"
        tree = self.parse(text, stmt, "CREATE DOMAIN", required=False)
        if not isinstance(tree, exp.Create) or not isinstance(tree.this, exp.Schema):
            return
        draft = TableDraft(bare_name(name), self.line)
        for item in tree.this.expressions:
            if isinstance(item, exp.ColumnDef):
                self.column_def(draft, item)
        self.settle(draft)
        col = draft.column("value")
        if col is not None:
            user = UserType(col.schema, not_null=col.not_null, kind="domain")
            self.types.user_types[bare_name(name).lower()] = user

    def alter_table(self, tree: exp.Alter) -> None:
        target = tree.this
        table = self.tables.get(target.name.lower()) if isinstance(target, exp.Table) else None
        if table is None:
            self.warn(f"ALTER TABLE {target.sql(self.dialect)}: table not defined in this file")
            return
        for action in tree.args.get("actions") or []:
            self.alter_action(table, action)

    def alter_action(self, table: TableDraft, action: exp.Expression) -> None:
        if isinstance(action, exp.AddConstraint):
            for item in action.expressions:
                self.table_item(table, item)
        elif isinstance(action, exp.ColumnDef):
            self.column_def(table, action)
        elif isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
            old = table.column(action.this.name)
            if old is not None:
                del table.columns[old.name]
            self.column_def(table, action.this)
        elif isinstance(action, exp.AlterColumn):
            self.alter_column(table, action)
        elif isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "COLUMN":
            for dropped in action.args.get("tables") or []:
                col = table.column(dropped.name)
                if col is not None:
                    del table.columns[col.name]
        elif isinstance(action, exp.RenameColumn):
            col = table.column(action.this.name)
            to = action.args.get("to")
            if col is not None and to is not None:
                new = {(to.name if k == col.name else k): v for k, v in table.columns.items()}
                col.name = to.name
                table.columns = new
        else:
            self.warn(f"table {table.name}: {short(action.sql(self.dialect))} not expressed")

    def alter_column(self, table: TableDraft, action: exp.AlterColumn) -> None:
        col = table.column(action.this.name)
        if col is None:
            self.warn(f"table {table.name}: ALTER COLUMN {action.this.name}: no such column")
            return
        where = f"{table.name}.{col.name}"
        if action.args.get("dtype") is not None:
            col.schema, _ = map_type(action.args["dtype"], self.types, where)
        if action.args.get("allow_null") is not None:
            col.not_null = not action.args["allow_null"]
        elif action.args.get("drop"):
            col.schema = dataclasses.replace(col.schema, default=None, has_default=False)
            col.filled = False  # (a SERIAL's sequence is its DEFAULT: dropped too)
        if action.args.get("default") is not None:
            self.set_default(col, action.args["default"], where)

    def unique_index(self, index: exp.Index) -> None:
        target = index.args.get("table")
        table = self.tables.get(target.name.lower()) if isinstance(target, exp.Table) else None
        params = index.args.get("params")
        cols = params.args.get("columns") if params else None
        if table is None:
            self.warn(f"unique index {index.name}: table not defined in this file")
            return
        if not cols:
            self.warn(f"unique index {index.name}: no columns, not expressed")
            return
        names = []
        for item in cols:
            node = item.this if isinstance(item, exp.Ordered) else item
            if isinstance(node, exp.Lower | exp.Upper) and isinstance(node.this, exp.Column):
                node = node.this  # unique on lower(col): unique values are unique anyway
            if not isinstance(node, exp.Column | exp.Identifier):
                self.warn(f"unique index {index.name}: expression {node.sql()} not expressed")
                return
            names.append(node.name)
        self.add_unique(table, tuple(names))

    def comment(self, tree: exp.Comment) -> None:
        text = literal_value(tree.expression)
        if not isinstance(text, str):
            return
        target = tree.this
        kind = str(tree.args.get("kind", "")).upper()
        if kind == "COLUMN" and isinstance(target, exp.Column):
            table = self.tables.get(target.table.lower())
            col = table.column(target.name) if table else None
            if col is not None:
                col.schema = dataclasses.replace(col.schema, description=text)
        elif kind == "TABLE" and isinstance(target, exp.Table):
            table = self.tables.get(target.name.lower())
            if table is not None:
                table.description = text

    def few_combinations(
        self, table: TableDraft, fields: list[Field], unique: tuple[tuple[str, ...], ...]
    ) -> None:
        """Warn about a multi-column key (UNIQUE, or the primary key) whose columns take few
        values between them (``row_no`` 1-20 and ``seat_no`` 1-30: 600 rows): a larger
        dataset cannot be made (``generate`` refuses it)."""
        keys = [k for k in (table.primary_key, *unique) if k]
        single = {k[0] for k in keys if len(k) == 1}
        by_name = {f.name: f.schema for f in fields}
        for key in keys:
            if len(key) < 2 or single & set(key):
                continue
            sizes = [_value_count(by_name[c]) for c in key if c in by_name]
            if sizes and all(n is not None for n in sizes):
                total = math.prod(n for n in sizes if n is not None)
                if total < _FEW_COMBINATIONS:
                    kind = "PRIMARY KEY" if key == table.primary_key else "UNIQUE"
                    self.warnings.append(
                        f"line {table.line}: table {table.name}: {kind} ({', '.join(key)}) "
                        f"allows {total} distinct rows; a larger dataset cannot be made "
                        "without repeating one"
                    )

    # -- the result ------------------------------------------------------------------------

    def domain(self, source: str) -> Domain:
        for table in self.tables.values():
            self.settle(table)
        entities: dict[str, Entity] = {}
        for table in self.tables.values():
            entities[table.name] = self.entity(table)
        primary = next(iter(entities))
        return Domain(entities, primary, source=source)

    def entity(self, table: TableDraft) -> Entity:
        pk = set(table.primary_key)
        fields = []
        for col in table.columns.values():
            nullable = not (col.not_null or col.name in pk)
            schema = dataclasses.replace(col.schema, nullable=nullable)
            # A column an INSERT may leave out (NULL, or the database's DEFAULT, fills it) is
            # made in every row but ``defaulted``, not required: fault data does not leave it
            # out, which PostgreSQL would take (see docs/schema-import.md).
            defaulted = nullable or col.filled
            fields.append(
                Field(
                    col.name,
                    schema,
                    required=True,
                    read_only=col.read_only,
                    defaulted=defaulted and not col.read_only,
                )
            )
        fks = []
        for cols, parent_name, refs in table.foreign_keys:
            parent = self.tables.get(parent_name.lower())
            if parent is None:
                self.warnings.append(
                    f"line {table.line}: table {table.name}: foreign key to {parent_name}, "
                    "which this file does not define; not expressed"
                )
                continue
            resolved = tuple(c.name if (c := parent.column(r)) else r for r in refs)
            resolved = resolved or parent.primary_key  # REFERENCES t: the parent's key
            if len(resolved) != len(cols):
                self.warnings.append(
                    f"line {table.line}: table {table.name}: foreign key {cols} to "
                    f"{parent.name} does not match its key; not expressed"
                )
                continue
            fks.append(ForeignKey(cols, parent.name, resolved))
        unique = tuple(u for u in table.unique if u != table.primary_key)
        self.few_combinations(table, fields, unique)
        schema = Schema("object", fields=tuple(fields), closed=True, description=table.description)
        always = tuple(c.name for c in table.columns.values() if c.identity_always)
        return Entity(
            table.name,
            schema,
            table.primary_key,
            unique,
            tuple(fks),
            identity_always=always,
            table_schema=table.schema,
        )
