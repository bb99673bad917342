"""Rule matching: a registry of matchers keyed by the ``when`` field they read; first match wins."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from .request import ChatRequest
from .scenario.model import Rule, TextMatch, When

Groups = dict[str, str]
Matcher = Callable[[Any, ChatRequest], Groups | None]


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def text_matches(test: str | TextMatch, text: str | None) -> Groups | None:
    """Named groups (empty when there are none) if ``text`` passes ``test``, else None."""
    if text is None:
        return None
    if isinstance(test, str):
        return {} if test in text else None
    if test.contains is not None and test.contains not in text:
        return None
    if test.equals is not None and test.equals != text:
        return None
    if test.regex is not None:
        found = _compiled(test.regex).search(text)
        return {k: v for k, v in found.groupdict().items() if v is not None} if found else None
    return {}


def _model(patterns: str | tuple[str, ...], request: ChatRequest) -> Groups | None:
    options = (patterns,) if isinstance(patterns, str) else patterns
    return {} if any(fnmatchcase(request.model, p) for p in options) else None


def _stream(wanted: bool, request: ChatRequest) -> Groups | None:
    return {} if request.stream == wanted else None


def _last_user(test: str | TextMatch, request: ChatRequest) -> Groups | None:
    return text_matches(test, request.last_text("user"))


def _nth(n: int, request: ChatRequest) -> Groups | None:
    return {} if request.nth == n else None


MATCHERS: dict[str, Matcher] = {
    "model": _model,
    "stream": _stream,
    "last_user": _last_user,
    "nth": _nth,
}

_WHEN_FIELDS = tuple(f.name for f in fields(When))
assert set(_WHEN_FIELDS) == set(MATCHERS), "every `when` field needs a matcher"


def matches(when: When, request: ChatRequest) -> Groups | None:
    """The named groups captured if every condition of ``when`` holds, else None."""
    groups: Groups = {}
    for name in _WHEN_FIELDS:
        wanted = getattr(when, name)
        if wanted is None:
            continue
        found = MATCHERS[name](wanted, request)
        if found is None:
            return None
        groups.update(found)
    return groups


@dataclass(frozen=True)
class Match:
    """The rule that answers a request, its position and the groups it captured."""

    index: int
    rule: Rule
    groups: Groups


def first_match(rules: Sequence[Rule], request: ChatRequest) -> Match | None:
    """The first rule whose ``when`` holds for the request."""
    for index, rule in enumerate(rules):
        groups = matches(rule.when, request)
        if groups is not None:
            return Match(index, rule, groups)
    return None
