"""Constraints attached to typed fields with ``Annotated``: each says what is wrong, or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

import re2

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_OPTIONS.max_mem = 8 << 20
REGEX_MAX_LENGTH = 2000


@lru_cache(maxsize=4096)
def compile_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2, which matches in time linear in the text (no backtracking).

    Raises ValueError with RE2's reason for what it does not support (backreferences,
    lookaround) or a pattern past ``REGEX_MAX_LENGTH`` characters or RE2's memory budget.
    """
    if len(pattern) > REGEX_MAX_LENGTH:
        raise ValueError(f"longer than {REGEX_MAX_LENGTH} characters")
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "rejected"
        raise ValueError(
            reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        ) from None
    except UnicodeEncodeError:
        raise ValueError("holds a character that is not valid Unicode") from None


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
    """A string that compiles as an RE2 regular expression (see :func:`compile_regex`)."""

    def problem(self, value: Any) -> str | None:
        try:
            compile_regex(value)
        except ValueError as exc:
            return f"not a valid regular expression (RE2 syntax): {exc}"
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
