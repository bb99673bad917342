"""The same request sent again: same key, path and body (JSON compared after parsing), in journal order."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...openrouter.encode import parse_json
from ..journal import Entry
from .record import INCOMPLETE
from .timeline import Timeline, arrived, ended

EPSILON_S = 1e-3

Identity = tuple[str, str, str, tuple[tuple[str, str], ...], str | bytes | None]


def identity(entry: Entry) -> Identity:
    """What makes two requests "the same": method, key, path (with its query) and body."""
    body: str | bytes | None = entry.body
    if entry.body is not None:
        with contextlib.suppress(ValueError):
            body = json.dumps(parse_json(entry.body), sort_keys=True, separators=(",", ":"))
    return (entry.method, entry.api_key or "", entry.path, tuple(sorted(entry.params.items())), body)


def failed(entry: Entry) -> bool:
    """Did the client not get a whole answer: an error status, no status, an early end or leaving early?"""
    status = entry.status
    return status is None or status >= 400 or entry.cancelled or entry.ending in INCOMPLETE


@dataclass(frozen=True)
class Resend:
    """``entry`` sent again what ``previous`` sent, ``wait_s`` after ``previous`` ended."""

    previous: Entry
    entry: Entry
    wait_s: float


@dataclass
class Chain:
    """One request and its re-sends, oldest first."""

    first: Entry
    resends: list[Resend] = field(default_factory=list)

    @property
    def last(self) -> Entry:
        return self.resends[-1].entry if self.resends else self.first


def chains(entries: Iterable[Entry], timeline: Timeline) -> list[Chain]:
    """Every request with its re-sends. A request is re-sent when the same one arrives after the
    previous try failed (a success ends the chain); one that arrives before the failure could be
    seen runs alongside and is not a re-send."""
    found: list[Chain] = []
    open_chains: dict[Identity, Chain] = {}
    for entry in entries:
        key = identity(entry)
        chain = open_chains.get(key)
        if chain is not None:
            previous = chain.last
            seen = timeline.seen_failing(previous)
            if timeline.between(seen, arrived(entry)) >= -EPSILON_S:
                end = ended(previous) or seen
                chain.resends.append(Resend(previous, entry, max(0.0, timeline.between(end, arrived(entry)))))
            else:
                chain = None
        if chain is None:
            chain = Chain(entry)
            found.append(chain)
        if failed(entry):
            open_chains[key] = chain
        else:
            open_chains.pop(key, None)
    return found
