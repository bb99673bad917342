"""Cheap first tests for many rules at once, so a scenario with a thousand rules matches quickly.

Consecutive rules whose first cheap test is of the same kind (a substring of the last user
message, the whole message, an exact model) form a run; a run of at least ``INDEXED_FROM`` rules
yields, in rule order, the rules that pass it, and only those are checked in full.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from ..scenario.model import Rule, TextMatch, When
from .request import ChatRequest

ANY, CONTAINS, EQUALS, MODEL = "any", "last_user_contains", "last_user_equals", "model_equals"
_GRAM = 3
INDEXED_FROM = 8
"""A run this long or longer is indexed; shorter ones check their rules one by one, which is cheaper."""


def _kind(when: When) -> tuple[str, str]:
    test = when.last_user
    if isinstance(test, str):
        return CONTAINS, test
    if (
        isinstance(test, TextMatch)
        and test.regex is None
        and (test.contains is None) != (test.equals is None)
    ):
        return (CONTAINS, test.contains) if test.contains is not None else (EQUALS, test.equals or "")
    if isinstance(when.model, str) and not any(c in when.model for c in "*?["):
        return MODEL, when.model
    return ANY, ""


class Substrings:
    """Which of many needles occur in a text: through each needle's rarest trigram for short texts
    (one dictionary lookup per character), a C-level scan of the needles for long ones."""

    def __init__(self, needles: Sequence[str]) -> None:
        self.needles = needles
        grams = Counter(g for n in needles for g in {n[i : i + _GRAM] for i in range(len(n) - _GRAM + 1)})
        self.short = [pos for pos, n in enumerate(needles) if len(n) < _GRAM]
        self.by_gram: defaultdict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for pos, needle in enumerate(needles):
            if len(needle) >= _GRAM:
                offset = min(range(len(needle) - _GRAM + 1), key=lambda i: grams[needle[i : i + _GRAM]])
                self.by_gram[needle[offset : offset + _GRAM]].append((pos, offset, needle))

    def found(self, text: str) -> list[int]:
        """Positions of the needles that ``text`` contains, in order."""
        if len(text) > 4 * len(self.needles):
            return [pos for pos, hit in enumerate(map(text.__contains__, self.needles)) if hit]
        hits = {pos for pos in self.short if self.needles[pos] in text}
        lookup = self.by_gram.get
        for i in range(len(text) - _GRAM + 1):
            for pos, offset, needle in lookup(text[i : i + _GRAM], ()):
                if text.startswith(needle, i - offset):
                    hits.add(pos)
        return sorted(hits)


class Run:
    """Consecutive rules sharing a kind of first test, with the index that test needs."""

    def __init__(self, start: int, kind: str, keys: list[str]) -> None:
        self.start, self.kind, self.keys = start, kind, keys
        self._substrings = Substrings(keys) if kind == CONTAINS else None
        self._exact: defaultdict[str, list[int]] = defaultdict(list)
        if kind in (EQUALS, MODEL):
            for pos, key in enumerate(keys):
                self._exact[key].append(start + pos)

    def candidates(self, request: ChatRequest) -> Iterable[int]:
        """The rule indexes of the run that pass its test, in order."""
        if self.kind == ANY:
            return range(self.start, self.start + len(self.keys))
        subject = request.model if self.kind == MODEL else request.last_user
        if subject is None:
            return ()
        if self._substrings is not None:
            return (self.start + pos for pos in self._substrings.found(subject))
        return self._exact.get(subject, ())


def runs(rules: Sequence[Rule]) -> list[Run]:
    """The rules grouped into runs, each with its index built."""
    grouped: list[tuple[int, str, list[str]]] = []
    for index, rule in enumerate(rules):
        kind, key = _kind(rule.when)
        if grouped and grouped[-1][1] == kind:
            grouped[-1][2].append(key)
        else:
            grouped.append((index, kind, [key]))
    return [Run(start, kind if len(keys) >= INDEXED_FROM else ANY, keys) for start, kind, keys in grouped]
