"""What send_email and the auth proxy share: the call, PinMe's envelopes, and scripted failures.

Their errors always take the worker template's envelope (``code`` 500 for a 401 or 413, ``msg``
``fail`` or ``invalid param``), as PinMe's service API tables give them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ..openrouter.errors import CATALOGUE, RenderedError, pinme_wrapped, render
from ..scenario.model import AuthRule, CallRange, EmailRule, ServiceRespond
from .match import text_matches


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """A call as it arrived: its body (None once past PinMe's 1 MB), headers and query."""

    raw: bytes | None
    headers: Mapping[str, str]
    query: Mapping[str, str]

    @property
    def api_key(self) -> str:
        return self.headers.get("X-API-Key", "").strip()

    @property
    def project_name(self) -> str:
        return self.query.get("project_name", "")


@dataclass(frozen=True, slots=True)
class Done:
    """A successful answer: PinMe's ``{"code": 200, "msg": "ok", "data": …}``."""

    data: Any

    @property
    def body(self) -> dict[str, Any]:
        return {"code": 200, "msg": "ok", "data": self.data}


Answer = Done | RenderedError


def pinme_error(name: str, message: str | None = None) -> RenderedError:
    """A ``pinme.*`` catalogue error in the service tables' envelope."""
    return render(CATALOGUE[name], style="template", values={}, user_id=None, message=message)


def scripted(respond: ServiceRespond) -> RenderedError:
    """The error a service rule scripts: a catalogue name, or a raw status (PinMe's envelope by default)."""
    if respond.error is not None:
        return pinme_error(respond.error, respond.message)
    assert respond.status is not None
    body = respond.body
    if body is None:
        body = pinme_wrapped(respond.status, "fail", respond.message or "Scripted error")
    return RenderedError(respond.status, body, respond.headers, None)


_EXACT = frozenset({"to", "email", "uid", "project", "endpoint"})


class ScriptBook:
    """A service's scripted failures: the first rule whose ``when`` holds (and has ``times`` left) answers.

    ``facts`` name what a call offers to ``when``: texts (``to``, ``subject``, ``email``…) and flags.
    """

    def __init__(self, rules: tuple[EmailRule | AuthRule, ...], section: str) -> None:
        self.rules = rules
        self.section = section
        self.labels = [rule.name or f"{section}.rules[{i}]" for i, rule in enumerate(rules)]
        self.hits = [0] * len(rules)
        self.calls: dict[str, int] = {}

    def reset(self) -> None:
        self.hits = [0] * len(self.rules)
        self.calls = {}

    def first_match(
        self, facts: Mapping[str, Any], seed: int, counter: str = ""
    ) -> tuple[str, ServiceRespond] | None:
        """Count the call (``nth`` counts per ``counter``); the label and answer of the first rule
        that fails it, or None."""
        nth = self.calls[counter] = self.calls.get(counter, 0) + 1
        for index, rule in enumerate(self.rules):
            if rule.times is not None and self.hits[index] >= rule.times:
                continue
            if self._holds(rule, index, facts, seed, nth):
                self.hits[index] += 1
                return self.labels[index], rule.respond
        return None

    def _holds(
        self, rule: EmailRule | AuthRule, index: int, facts: Mapping[str, Any], seed: int, nth: int
    ) -> bool:
        when = rule.when
        for f in fields(when):
            wanted = getattr(when, f.name)
            if wanted is None:
                continue
            if f.name == "nth":
                if not _in_range(wanted, nth):
                    return False
            elif f.name == "probability":
                draw = random.Random(
                    f"{seed}:{self.section}:{facts.get('endpoint', '')}:{nth}:{index}"
                ).random()
                if draw >= wanted:
                    return False
            elif isinstance(wanted, bool):
                if facts.get(f.name) is not wanted:
                    return False
            elif text_matches(wanted, facts.get(f.name), exact=f.name in _EXACT) is None:
                return False
        return True


def _in_range(calls: int | CallRange, nth: int) -> bool:
    if isinstance(calls, int):
        return nth == calls
    return calls.after < nth and (calls.count is None or nth <= calls.after + calls.count)
