"""The request journal: what each client sent and what it got, newest last, bounded."""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDictProxy, MultiMapping

from ..openrouter.encode import parse_json
from .events import Feed
from .timeline import answer_json, stream_summary

if TYPE_CHECKING:
    from ..openrouter.plan import Step

DEFAULT_LIMIT = 1000
BODY_LIMIT = 65536
"""The answer's bytes an entry keeps; past that the body is cut (``answer_cut``)."""
SECRET_HEADERS = frozenset(
    {"x-api-key", "authorization", "x-mockpinme-token", "proxy-authorization", "cookie"}
)
"""Headers the journal shows masked (see :func:`mask`)."""


@dataclass(slots=True)
class Entry:
    """One request: what was sent, which scenario and rule answered, what went back.

    The request's body is kept as the bytes that came in; ``json`` parses them when asked. ``at_s`` and
    ``ended_at_s`` are scenario-clock times; ``ending`` says how a reply ended (``complete``, ``error``,
    ``truncated``, ``reset``, ``stalled``), ``stalled_at`` when it went silent (scenario and real
    seconds). The verdict reads them."""

    id: int
    method: str
    path: str
    params: MultiMapping[str]
    headers: CIMultiDictProxy[str]
    started_at: float
    scenario: str
    body: bytes | None = None
    stream: bool = False
    status: int | None = None
    rule: str | None = None
    error: str | None = None
    chunks_sent: int = 0
    cancelled: bool = False
    balance_usd: float | None = None
    duration_ms: float | None = None
    nth: int | None = None
    answer_headers: dict[str, str] | None = None
    answer_body: bytes | None = None
    answer_cut: int = 0
    ended: str | None = None
    plan: list[Step] | None = field(default=None, repr=False)
    ids: Sequence[bytes] | None = field(default=None, repr=False)
    writes: list[tuple[float, int]] | None = field(default=None, repr=False)
    derived: dict[str, Any] = field(default_factory=dict, repr=False)
    _start: float = field(default=0.0, repr=False)
    at_s: float = 0.0
    raw_query: str = ""
    ended_at_s: float | None = None
    retry_after_s: float | None = None
    ending: str | None = None
    stalled_at: tuple[float, float] | None = None
    reply_text: str | None = field(default=None, repr=False)

    @property
    def api_key(self) -> str | None:
        return self.headers.get("X-API-Key")

    @property
    def query(self) -> dict[str, str]:
        """The query string's parameters."""
        return dict(self.params)

    @property
    def json(self) -> Any:
        """The body as JSON; None when there was none or it was not JSON."""
        if self.body is None:
            return None
        try:
            return parse_json(self.body)
        except ValueError:
            return None

    @property
    def timeline(self) -> dict[str, Any] | None:
        """A stream's events (``at_ms``, ``size``, ``kind``), ``ttft_ms``, ``gaps_ms``, ``chunks``
        and how it ``ended``; None for an answer that was not a stream."""
        return stream_summary(self)

    @property
    def start(self) -> float:
        """When the request came in, on ``time.perf_counter``'s clock."""
        return self._start

    def answered(self, headers: dict[str, str], body: bytes | None) -> None:
        """Keep the answer's headers and its body (the first ``BODY_LIMIT`` bytes)."""
        self.answer_headers = headers
        if body is not None and len(body) > BODY_LIMIT:
            self.answer_cut = len(body) - BODY_LIMIT
            body = body[:BODY_LIMIT]
        self.answer_body = body

    def finish(self, status: int | None, at_s: float | None = None) -> None:
        """Record the status, how long the answer took and when it ended (scenario seconds)."""
        if self.status is None:
            self.status = status
        self.ended_at_s = at_s
        self.duration_ms = round((time.perf_counter() - self._start) * 1000, 3)

    def to_json(self) -> dict[str, Any]:
        """The entry as the control API returns it."""
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": masked_headers(self.headers),
            "json": self.json,
            "stream": self.stream,
            "scenario": self.scenario,
            "status": self.status,
            "rule": self.rule,
            "error": self.error,
            "chunks_sent": self.chunks_sent,
            "cancelled": self.cancelled,
            "balance_usd": self.balance_usd,
            "started_at": self.started_at,
            "duration_ms": self.duration_ms,
            **answer_json(self),
            "at_s": self.at_s,
            "ended_at_s": self.ended_at_s,
            "retry_after_s": self.retry_after_s,
            "ending": self.ending,
        }


class Journal:
    """The last ``limit`` requests, in order."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.entries: deque[Entry] = deque(maxlen=limit)
        self._ids = itertools.count(1)
        self.feed = Feed()

    def record(
        self,
        method: str,
        path: str,
        params: MultiMapping[str],
        headers: CIMultiDictProxy[str],
        scenario: str,
        at_s: float = 0.0,
        raw_query: str = "",
    ) -> Entry:
        """Start an entry for a request that has just arrived (``at_s`` on the scenario clock)."""
        entry = Entry(next(self._ids), method, path, params, headers, time.time(), scenario)
        entry._start, entry.at_s, entry.raw_query = time.perf_counter(), at_s, raw_query
        self.entries.append(entry)
        if self.feed.subscribers:
            self.feed.publish("start", entry)
        return entry

    def finish(self, entry: Entry, status: int | None, at_s: float | None = None) -> None:
        """The entry's answer is complete: record the status, duration and end, tell the feed."""
        entry.finish(status, at_s)
        if self.feed.subscribers:
            self.feed.publish("end", entry)

    def get(self, entry_id: int) -> Entry | None:
        """The entry with that id, while the journal keeps it."""
        return next((e for e in reversed(self.entries) if e.id == entry_id), None)

    def clear(self) -> None:
        self.entries.clear()
        if self.feed.subscribers:
            self.feed.publish("clear", None)

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def select(
        self,
        *,
        path: str | None = None,
        status: int | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Entries with that path and status, after the entry with id ``since``; the last ``limit``."""
        found = [
            e
            for e in self.entries
            if (path is None or e.path == path)
            and (status is None or e.status == status)
            and (since is None or e.id > since)
        ]
        return found[-limit:] if limit is not None else found


def printable(text: str) -> str:
    """Text from a request as a log line may hold it: what is not valid Unicode as escapes."""
    return text.encode("utf-8", "backslashreplace").decode()


def mask(key: str | None) -> str:
    """A key as logs show it: the first and last two characters."""
    if not key:
        return "-"
    return printable(f"{key[:2]}…{key[-2:]}") if len(key) > 6 else "…"


def masked_headers(headers: MultiMapping[str]) -> dict[str, str]:
    """Headers as the journal shows them: secrets (:data:`SECRET_HEADERS`) masked."""
    return {k: mask(v) if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}
