"""Click commands made from a function's annotated signature.

A command's options are written once, as the types and defaults of its function's
parameters (``count: Annotated[str, Option("-n", "--count", help=...)] = "10"``), so mypy
checks the values the body receives. This module turns such a signature into Click
parameters. It does what Typer did for us and no more: Typer 0.29 builds a pydantic
``TypeAdapter`` for every parameter of a run, which doubled the start-up of every command
(ADR 0019).

The types a signature may use are the few the CLI needs: ``str``, ``int``, ``float``,
``bool`` (a flag), ``Path``, ``X | None``, and ``list[X] | None`` (a repeatable option; None
when it is not given).
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["Argument", "Option", "PathType", "SignatureCommand", "command"]

F = TypeVar("F", bound=Callable[..., Any])


class Option:
    """An option's names and help, in a parameter's ``Annotated`` metadata."""

    def __init__(self, *names: str, help: str, metavar: str | None = None) -> None:
        self.names = names
        self.help = help
        self.metavar = metavar


class Argument:
    """A positional argument's help (and metavar), in a parameter's ``Annotated`` metadata."""

    def __init__(self, *, help: str, metavar: str | None = None) -> None:
        self.help = help
        self.metavar = metavar


class PathType(click.ParamType[Path]):
    """A file or folder name as given, as a ``Path``: whether it exists, and whether it can
    be read, is said by the command in its own words (exit 1), not Click's (exit 2)."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        return value if isinstance(value, Path) else Path(value)


_SCALARS: dict[Any, click.ParamType[Any]] = {
    str: click.STRING,
    int: click.INT,
    float: click.FLOAT,
    Path: PathType(),
}


class SignatureCommand(click.Command):
    """A command whose parameters are read from its function's signature when Click first
    asks for them: a run reads only the invoked command's (the annotations are text, from
    ``from __future__ import annotations``, and compiling them all took ~30 ms of every
    start-up)."""

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self._function = function
        self._params: list[click.Parameter] | None = None
        self._repeatable: list[str] = []
        super().__init__(name, callback=self._call, help=inspect.getdoc(function))

    @property
    def params(self) -> list[click.Parameter]:
        if self._params is None:
            self._params, self._repeatable = _signature_params(self._function)
        return self._params

    @params.setter
    def params(self, given: list[click.Parameter]) -> None:
        # (Click's ``__init__`` sets the parameters it was given: none, here)
        if given:
            self._params = given

    def _call(self, **values: Any) -> Any:
        for key in self._repeatable:  # (Click gives () for an option not given)
            values[key] = list(values[key]) or None
        return self._function(**values)


def command(
    group: click.Group, name: str, cls: type[SignatureCommand] = SignatureCommand
) -> Callable[[F], F]:
    """Register the decorated function as command ``name`` of ``group``; the function is
    returned unchanged (tests and other commands can call it)."""

    def register(function: F) -> F:
        group.add_command(cls(name, function))
        return function

    return register


def _signature_params(function: Callable[..., Any]) -> tuple[list[click.Parameter], list[str]]:
    """The Click parameters of ``function``'s signature, and the names of the repeatable
    ones."""
    hints = typing.get_type_hints(function, include_extras=True)
    params, repeatable = [], []
    for parameter in inspect.signature(function).parameters.values():
        param = _click_param(parameter, hints[parameter.name])
        params.append(param)
        if getattr(param, "multiple", False):
            repeatable.append(parameter.name)
    return params, repeatable


def _click_param(parameter: inspect.Parameter, hint: Any) -> click.Parameter:
    """The Click parameter for ``parameter``, annotated ``hint``."""
    kind, [declared] = typing.get_args(hint)[0], typing.get_args(hint)[1:]
    kind = _without_none(kind)
    repeatable = typing.get_origin(kind) is list
    if repeatable:
        [kind] = typing.get_args(kind)
    required = parameter.default is inspect.Parameter.empty
    # (Click tells a value not given from a default of None: a default is passed only where
    # the signature has one, or a required option would take None and not be missing)
    given = {} if required or repeatable else {"default": parameter.default}
    if isinstance(declared, Argument):
        return click.Argument(
            [parameter.name],
            help=declared.help,
            type=_SCALARS[kind],
            required=required,
            metavar=declared.metavar,
            **given,
        )
    if not isinstance(declared, Option):
        raise TypeError(f"{parameter.name}: annotate it with Option(...) or Argument(...)")
    return click.Option(
        [*declared.names, parameter.name],
        help=declared.help,
        type=None if kind is bool else _SCALARS[kind],
        is_flag=kind is bool,
        multiple=repeatable,
        required=required,
        show_default=given.get("default") not in (None, False),
        metavar=declared.metavar,
        **given,
    )


def _without_none(kind: Any) -> Any:
    """``X`` from ``X | None``."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return kind
