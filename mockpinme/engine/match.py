"""Rule matching: a registry of matchers keyed by the ``when`` field they read; first match wins.

:class:`RuleBook` adds what needs memory: ``times``, sequences and their exhaustion policies.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from fnmatch import fnmatchcase
from typing import Any

from ..openrouter.checks import compile_regex
from ..scenario.model import CallRange, Respond, Rule, TextMatch, When
from . import conversation
from .prefilter import runs
from .request import ChatRequest
from .search import wants_web_search

Groups = dict[str, str]
Matcher = Callable[[Any, ChatRequest, int], Groups | None]
WEB_SEARCH = "openrouter:web_search"


def _search(pattern: str, text: str) -> Any:
    """RE2's first match of ``pattern`` in ``text``; lone surrogates (not UTF-8) count as "?"."""
    try:
        return compile_regex(pattern).search(text)
    except UnicodeEncodeError:
        return compile_regex(pattern).search(text.encode("utf-8", "replace").decode())


def text_matches(test: str | TextMatch, text: str | None, *, exact: bool = False) -> Groups | None:
    """Named groups (empty when there are none) if ``text`` passes ``test``, else None.

    A plain-string test is a substring, or the whole text when ``exact``.
    """
    if text is None:
        return None
    if isinstance(test, str):
        return {} if (test == text if exact else test in text) else None
    if test.contains is not None and test.contains not in text:
        return None
    if test.equals is not None and test.equals != text:
        return None
    if test.regex is not None:
        found = _search(test.regex, text)
        return {k: v for k, v in found.groupdict().items() if v is not None} if found else None
    return {}


def _yes(condition: bool) -> Groups | None:
    return {} if condition else None


def _model(patterns: str | tuple[str, ...], request: ChatRequest, _: int) -> Groups | None:
    options = (patterns,) if isinstance(patterns, str) else patterns
    return _yes(any(fnmatchcase(request.model, p) for p in options))


def _stream(wanted: bool, request: ChatRequest, _: int) -> Groups | None:
    return _yes(request.stream == wanted)


def _last_user(test: str | TextMatch, request: ChatRequest, _: int) -> Groups | None:
    return text_matches(test, request.last_user)


def _any_message(test: str | TextMatch, request: ChatRequest, _: int) -> Groups | None:
    for text in reversed(request.texts()):
        found = text_matches(test, text)
        if found is not None:
            return found
    return None


def _system(test: str | TextMatch, request: ChatRequest, _: int) -> Groups | None:
    found = text_matches(test, request.last_text("system"))
    return found if found is not None else text_matches(test, request.last_text("developer"))


def _tool(name: str, request: ChatRequest, _: int) -> Groups | None:
    if name == WEB_SEARCH:
        return _yes(wants_web_search(request))
    return _yes(any(f.get("name") == name for f in request.function_tools))


def _has_tools(wanted: bool, request: ChatRequest, _: int) -> Groups | None:
    return _yes(bool(request.function_tools) == wanted)


def _tool_result(wanted: bool | str, request: ChatRequest, _: int) -> Groups | None:
    name = request.tool_result_name()
    if isinstance(wanted, bool):
        return _yes((name is not None) == wanted)
    return _yes(name == wanted)


def _mapping(tests: Mapping[str, str | TextMatch], values: Mapping[str, str]) -> Groups | None:
    groups: Groups = {}
    for key, test in tests.items():
        found = text_matches(test, values.get(key), exact=True)
        if found is None:
            return None
        groups.update(found)
    return groups


def _header(tests: Mapping[str, str | TextMatch], request: ChatRequest, _: int) -> Groups | None:
    return _mapping(tests, request.headers)


def _query(tests: Mapping[str, str | TextMatch], request: ChatRequest, _: int) -> Groups | None:
    return _mapping(tests, request.query)


def _response_format(kind: str, request: ChatRequest, _: int) -> Groups | None:
    return _yes((request.response_format_type or "text") == kind)


def _nth(calls: int | CallRange, request: ChatRequest, _: int) -> Groups | None:
    if isinstance(calls, int):
        return _yes(request.nth == calls)
    last = calls.after + calls.count if calls.count is not None else request.nth
    return _yes(calls.after < request.nth <= last)


def _probability(chance: float, request: ChatRequest, rule_index: int) -> Groups | None:
    return _yes(random.Random(f"{request.seed}:{request.nth}:{rule_index}").random() < chance)


MATCHERS: dict[str, Matcher] = {
    "model": _model,
    "stream": _stream,
    "last_user": _last_user,
    "any_message": _any_message,
    "system": _system,
    "tool": _tool,
    "has_tools": _has_tools,
    "tool_result": _tool_result,
    "header": _header,
    "query": _query,
    "response_format": _response_format,
    "nth": _nth,
    "probability": _probability,
    "conversation": conversation.matches,
}

Explainer = Callable[[Any, ChatRequest], tuple[float, str]]
EXPLAINERS: dict[str, Explainer] = {"conversation": conversation.explain}
"""For conditions that can half hold: how near a request came (0 to below 1) and where it parted."""

_WHEN_FIELDS = tuple(f.name for f in fields(When))
assert set(_WHEN_FIELDS) == set(MATCHERS), "every `when` field needs a matcher"


def conditions(when: When) -> list[tuple[str, Any]]:
    """The conditions a ``when`` sets, in the order they are checked."""
    return [(name, getattr(when, name)) for name in _WHEN_FIELDS if getattr(when, name) is not None]


def label(index: int, rule: Rule) -> str:
    """How the journal, the state and the scenario name a rule: its ``name``, else ``rules[2]``."""
    return rule.name or f"rules[{index}]"


def place(index: int, rule: Rule) -> str:
    """Where a rule stands in its file, with its name: ``rules[2] (its-name)``."""
    return f"rules[{index}]" + (f" ({rule.name})" if rule.name else "")


@dataclass(slots=True)
class Match:
    """The rule that answers a request, its position and label, its answer, the groups it captured."""

    index: int
    rule: Rule
    respond: Respond
    groups: Groups
    label: str


Check = tuple[Matcher, Any]


class RuleBook:
    """A scenario's rules, compiled for quick matching, with how often each has answered."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.checks: list[tuple[Check, ...]] = [
            tuple((MATCHERS[name], wanted) for name, wanted in conditions(rule.when)) for rule in rules
        ]
        self.runs = runs(rules)
        self.labels = [label(index, rule) for index, rule in enumerate(rules)]
        self.answers = [rule.answers for rule in rules]
        self.hits = [0] * len(rules)

    def reset(self) -> None:
        self.hits = [0] * len(self.rules)

    def _answer(self, index: int) -> Respond | None:
        rule, used, answers = self.rules[index], self.hits[index], self.answers[index]
        if rule.times is not None and used >= rule.times:
            return None
        if used < len(answers):
            return answers[used]
        if rule.then == "cycle":
            return answers[used % len(answers)]
        if rule.then == "fall_through":
            return None
        return answers[-1]

    def _groups(self, index: int, request: ChatRequest) -> Groups | None:
        groups: Groups = {}
        for matcher, wanted in self.checks[index]:
            found = matcher(wanted, request, index)
            if found is None:
                return None
            groups.update(found)
        return groups

    def first_match(self, request: ChatRequest) -> Match | None:
        """The first rule whose ``when`` holds and that still has an answer; counts the hit."""
        for run in self.runs:
            for index in run.candidates(request):
                groups = self._groups(index, request)
                answer = self._answer(index) if groups is not None else None
                if groups is not None and answer is not None:
                    self.hits[index] += 1
                    return Match(index, self.rules[index], answer, groups, self.labels[index])
        return None

    def closest(self, request: ChatRequest) -> str:
        """Which rule came closest to matching, and which of its conditions failed.

        A rule whose conditions all hold but that has no answer left is named first, with why.
        """
        best: tuple[float, int, list[str]] | None = None
        for index, rule in enumerate(self.rules):
            checks = conditions(rule.when)
            failed, credit = [], 0.0
            for name, wanted in checks:
                if MATCHERS[name](wanted, request, index) is None:
                    near, why = EXPLAINERS[name](wanted, request) if name in EXPLAINERS else (0.0, "")
                    failed.append(f"{name} ({why})" if why else name)
                    credit += near
            if not failed and self._answer(index) is None:
                return f"{place(index, self.rules[index])} matches, but {self._used_up(index)}"
            score = 1 - (len(failed) - credit) / max(1, len(checks))
            if best is None or score > best[0]:
                best = (score, index, failed)
        if best is None:
            return "the scenario has no rules"
        _, index, failed = best
        return f"closest was {place(index, self.rules[index])}, which failed on: {', '.join(failed)}"

    def _used_up(self, index: int) -> str:
        rule, used = self.rules[index], self.hits[index]
        if rule.times is not None and used >= rule.times:
            return f"it has used up its times: {rule.times} (answered {used})"
        return f"its sequence of {len(rule.answers)} answers is used up (then: {rule.then})"
