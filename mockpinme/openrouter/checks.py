"""Constraints attached to typed fields with ``Annotated``: each says what is wrong, or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any


@dataclass(frozen=True)
class AtLeast:
    """A number no smaller than ``minimum``."""

    minimum: float

    def problem(self, value: Any) -> str | None:
        return None if value >= self.minimum else f"must be at least {self.minimum:g}"


@dataclass(frozen=True)
class AtMost:
    """A number no larger than ``maximum``."""

    maximum: float

    def problem(self, value: Any) -> str | None:
        return None if value <= self.maximum else f"must be at most {self.maximum:g}"


@dataclass(frozen=True)
class IsRegex:
    """A string that compiles as a Python regular expression."""

    def problem(self, value: Any) -> str | None:
        try:
            re.compile(value)
        except re.error as exc:
            return f"not a valid regular expression: {exc}"
        return None


@dataclass(frozen=True)
class OneOfNames:
    """A string from a fixed catalogue of names (the error catalogue)."""

    names: frozenset[str]
    what: str

    def problem(self, value: Any) -> str | None:
        if value in self.names:
            return None
        close = sorted(n for n in self.names if n.split(".")[-1] in value or value in n)[:3]
        if close:
            return f"unknown {self.what} '{value}' (did you mean {', '.join(close)}?)"
        return f"unknown {self.what} '{value}' (known: {', '.join(sorted(self.names))})"


@dataclass(frozen=True)
class NotEmpty:
    """A string or list with at least one element."""

    def problem(self, value: Any) -> str | None:
        return None if len(value) > 0 else "must not be empty"


def exactly_one(obj: object, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """Problems unless exactly one of the fields ``names`` of ``obj`` is set (not None, not False)."""
    given = [n for n in names if getattr(obj, n) not in (None, False)]
    if len(given) == 1:
        return []
    if not given:
        return [("", f"give one of {', '.join(names)}")]
    return [(given[1], f"'{given[0]}' and '{given[1]}' cannot be used together")]


Positive = Annotated[int, AtLeast(1)]
