"""``re.search`` without catastrophic backtracking, for checking values against schema patterns.

A pattern such as ``^(\\s*\\w+)*$`` makes ``re`` backtrack exponentially on a value that
almost matches: a mutated value of forty characters then takes longer than the universe has.
Patterns with a repeat inside a repeat are therefore searched here by simulating their
automaton (a Pike VM): all threads advance together, one character at a time, so a search
takes time proportional to the value's length times the pattern's size.

Only the structure (sequences, alternatives, repeats, groups) is simulated; every single
character class, anchor and lookaround is still tested by ``re`` itself, compiled alone, so
the answer is exactly ``re``'s. Patterns the simulation cannot express (back-references,
atomic groups, possessive repeats, local flags) and patterns without nested repeats are
searched by ``re`` as before. A pattern is searched as ECMA-262 reads it (``\\d`` is
``[0-9]``, ``$`` the very end, ``\\p{...}`` a property's ranges): ``re`` searches the
spelling ``values.ecma_regex`` gives it, the one values are generated from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from persona_gen.values.ecma_regex import python_pattern

try:  # Python 3.11+ keeps the parser and compiler here
    from re import _compiler as sre_compile  # type: ignore[attr-defined]
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_compile
    import sre_constants as sre_c
    import sre_parse

__all__ = ["pattern_search"]

_MAX_PROGRAM = 20_000  # instructions; larger automata are searched by ``re``
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT}
_STRUCTURE = _REPEATS | {sre_c.SUBPATTERN, sre_c.BRANCH}
_UNSUPPORTED = {
    sre_c.GROUPREF,
    sre_c.GROUPREF_EXISTS,
    sre_c.GROUPREF_IGNORE,
    *(
        getattr(sre_c, name)
        for name in (
            "ATOMIC_GROUP",
            "POSSESSIVE_REPEAT",
            "GROUPREF_LOC_IGNORE",
            "GROUPREF_UNI_IGNORE",
        )
        if hasattr(sre_c, name)
    ),
}

# Instructions: (STEP, matcher) consumes one character, (TEST, matcher) is zero-width,
# (SPLIT, a, b), (JUMP, a), (MATCH,).
_STEP, _TEST, _SPLIT, _JUMP, _MATCH = range(5)
Program = list[tuple[Any, ...]]


class _Unsupported(Exception):
    pass


def _nested_repeat(items: Any, inside: bool = False) -> bool:
    """Whether a repeat of more than one occurrence holds another such repeat or an
    alternative: the shapes ``re`` can backtrack on exponentially."""
    for op, av in items:
        if op in _REPEATS or op == getattr(sre_c, "POSSESSIVE_REPEAT", None):
            many = av[1] > 1
            if inside and many:
                return True
            if _nested_repeat(av[2], inside or many):
                return True
        elif op == sre_c.BRANCH:
            if inside:
                return True
            if any(_nested_repeat(alt, inside) for alt in av[1]):
                return True
        elif op == sre_c.SUBPATTERN:
            if _nested_repeat(av[-1], inside):
                return True
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT) and _nested_repeat(av[1], inside):
            return True
    return False


class _Builder:
    """Emits the automaton of a parsed pattern."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.program: Program = []

    def add(self, instruction: tuple[Any, ...]) -> int:
        if len(self.program) > _MAX_PROGRAM:
            raise _Unsupported
        self.program.append(instruction)
        return len(self.program) - 1

    def atom(self, node: Any) -> None:
        """One character class, anchor or lookaround, tested by ``re`` itself."""
        sub = sre_parse.SubPattern(self.state, [node])
        width = sub.getwidth()
        try:
            match = sre_compile.compile(sub, self.state.flags).match
        except (re.error, RecursionError, OverflowError) as exc:
            raise _Unsupported from exc
        if width == (1, 1):
            self.add((_STEP, match))
        elif width == (0, 0):
            self.add((_TEST, match))
        else:
            raise _Unsupported

    def branch(self, alternatives: list[Any]) -> None:
        jumps = []
        for alt in alternatives[:-1]:
            split = self.add((_SPLIT, None, None))
            self.emit(alt)
            jumps.append(self.add((_JUMP, None)))
            self.program[split] = (_SPLIT, split + 1, len(self.program))
        self.emit(alternatives[-1])
        for j in jumps:
            self.program[j] = (_JUMP, len(self.program))

    def repeat(self, low: int, high: int, body: Any) -> None:
        if min(high, low + 1) * max(len(body), 1) > _MAX_PROGRAM:
            raise _Unsupported
        for _ in range(low):
            self.emit(body)
        if high == sre_c.MAXREPEAT:
            loop = self.add((_SPLIT, None, None))
            self.emit(body)
            self.add((_JUMP, loop))
            self.program[loop] = (_SPLIT, loop + 1, len(self.program))
            return
        splits = []
        for _ in range(high - low):
            splits.append(self.add((_SPLIT, None, None)))
            self.emit(body)
        for s in splits:
            self.program[s] = (_SPLIT, s + 1, len(self.program))

    def emit(self, items: Any) -> None:
        for node in items:
            op, av = node
            if op in _UNSUPPORTED:
                raise _Unsupported
            if op == sre_c.SUBPATTERN:
                if av[1] or av[2]:  # (?i:...) and the like: local flags
                    raise _Unsupported
                self.emit(av[3])
            elif op == sre_c.BRANCH:
                self.branch(av[1])
            elif op in _REPEATS:
                self.repeat(*av)
            else:
                self.atom(node)


def _compile(parsed: Any) -> Program:
    builder = _Builder(parsed.state)
    builder.emit(list(parsed))
    builder.add((_MATCH,))
    return builder.program


def _run(program: Program, value: str) -> bool:
    """Whether the automaton matches anywhere in ``value`` (search semantics)."""
    end = len(value)

    def close(pcs: list[int], pos: int) -> tuple[list[int], bool]:
        seen: set[int] = set()
        steps: list[int] = []
        stack = list(reversed(pcs))
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            ins = program[pc]
            kind = ins[0]
            if kind == _STEP:
                steps.append(pc)
            elif kind == _TEST:
                if ins[1](value, pos):
                    stack.append(pc + 1)
            elif kind == _SPLIT:
                stack.append(ins[2])
                stack.append(ins[1])
            elif kind == _JUMP:
                stack.append(ins[1])
            else:
                return steps, True
        return steps, False

    current: list[int] = []
    for pos in range(end + 1):
        current, matched = close([*current, 0], pos)
        if matched:
            return True
        if pos == end:
            break
        current = [pc + 1 for pc in current if program[pc][1](value, pos)]
    return False


@cache
def _searcher(pattern: str) -> Callable[[str], bool] | None:
    """A search function for ``pattern``, or None when it does not compile (an unknown
    ``\\p{...}`` included)."""
    try:
        pattern = python_pattern(pattern)  # (as ECMA-262 reads it: see ``ecma_regex``)
        compiled = re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    plain = lambda value: compiled.search(value) is not None  # noqa: E731
    if not _nested_repeat(list(parsed)):
        return plain
    try:
        program = _compile(parsed)
    except (_Unsupported, RecursionError):
        return plain
    return lambda value: _run(program, value)


def pattern_search(pattern: str, value: str) -> bool | None:
    """``re.search(pattern, value) is not None``, in time linear in ``len(value)`` for the
    patterns that make ``re`` backtrack; None when ``pattern`` is not a regular expression."""
    search = _searcher(pattern)
    return None if search is None else search(value)
