"""What an entry's answer was, computed when asked: the body, and for a stream each write's time,
size and kind, the time to first token, the gaps between tokens and how the stream ended.

While a stream plays only ``(offset_ms, step_index)`` pairs are recorded; everything here is
derived from them, the plan and the answer's ids, off the hot path.
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

from ..openrouter.encode import Encoded

if TYPE_CHECKING:
    from .journal import Entry

_TAIL = 12
TOKEN_KINDS = frozenset({"content", "reasoning", "tool_call"})
_PRIORITY = (
    "error",
    "malformed",
    "tool_call",
    "reasoning",
    "content",
    "done",
    "finish",
    "usage",
    "opening",
    "keepalive",
    "data",
)
_RANK = {kind: rank for rank, kind in enumerate(_PRIORITY)}


def line_kind(line: bytes) -> str | None:
    """What one complete SSE line carries, or None for a line that carries nothing."""
    if line.startswith(b":"):
        return "keepalive"
    if not line.startswith(b"data:"):
        return None
    payload = line[5:].strip()
    if payload == b"[DONE]":
        return "done"
    try:
        chunk = json.loads(payload)
    except ValueError:
        return "malformed"
    if not isinstance(chunk, dict):
        return "data"
    if "error" in chunk:
        return "error"
    choices = chunk.get("choices") or []
    if chunk.get("usage"):
        return "usage"
    if not choices or not isinstance(choices[0], dict):
        return "data"
    delta = choices[0].get("delta") or {}
    if delta.get("tool_calls"):
        return "tool_call"
    if delta.get("reasoning"):
        return "reasoning"
    if delta.get("content"):
        return "content"
    return "finish" if choices[0].get("finish_reason") else "opening"


def _rendered(entry: Entry) -> list[tuple[float, bytes, str | None]]:
    """Each recorded write: its offset, its bytes, and the action when it was not a write."""
    plan, ids = entry.plan or [], entry.ids or []
    out: list[tuple[float, bytes, str | None]] = []
    for offset, index in entry.writes or ():
        step = plan[index]
        if step.action != "write":
            out.append((offset, b"", step.action))
        else:
            out.append((offset, Encoded(step.data, step.slots).render(ids), None))
    return out


def stream_events(entry: Entry) -> list[dict[str, Any]]:
    """Every write of a stream: ``at_ms`` from the request, ``size`` in bytes, ``kind``.

    A write's kind is that of the most telling SSE line it completes (``part`` when it completes
    none: a piece of a split event); ``reset`` and ``stall`` mark the connection's end.
    """
    writes = _rendered(entry)
    ends, total = [], 0
    for _, data, _ in writes:
        total += len(data)
        ends.append(total)
    kinds: list[str | None] = [None] * len(writes)
    body = b"".join(data for _, data, _ in writes)
    position, owner = 0, 0
    for line in body.splitlines(keepends=True):
        position += len(line)
        if not line.endswith(b"\n"):
            break
        while owner < len(ends) - 1 and ends[owner] < position:
            owner += 1
        kind = line_kind(line.rstrip(b"\r\n"))
        current = kinds[owner]
        if kind is not None and (current is None or _RANK[kind] < _RANK[current]):
            kinds[owner] = kind
    return [
        {"at_ms": round(offset, 3), "size": len(data), "kind": action or kinds[i] or "part"}
        for i, (offset, data, action) in enumerate(writes)
    ]


def ending(entry: Entry, events: list[dict[str, Any]]) -> str | None:
    """How the stream ended: ``done``, ``error`` (in-band), ``truncated`` (a clean end without
    ``[DONE]``), ``reset``, ``stalled`` (then reset) or ``client_left``."""
    raw = entry.ended
    if raw != "eof":
        return raw
    kinds = {e["kind"] for e in events}
    if "error" in kinds:
        return "error"
    return "done" if "done" in kinds else "truncated"


def _kept(entry: Entry, name: str, value: dict[str, Any]) -> dict[str, Any]:
    """``value``, remembered on the entry once its answer is over (it cannot change then)."""
    if entry.duration_ms is not None:
        entry.derived[name] = value
    return value


def stream_summary(entry: Entry) -> dict[str, Any] | None:
    """A stream's timeline: its events, time to first token, the gaps between tokens, its end."""
    if entry.writes is None:
        return None
    if "timeline" in entry.derived:
        return entry.derived["timeline"]  # type: ignore[no-any-return]
    events = stream_events(entry)
    tokens = [e["at_ms"] for e in events if e["kind"] in TOKEN_KINDS]
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(tokens)]
    summary = {
        "events": events,
        "ttft_ms": tokens[0] if tokens else None,
        "gaps_ms": gaps,
        "chunks": entry.chunks_sent,
        "ended": ending(entry, events),
    }
    return _kept(entry, "timeline", summary)


def answer_json(entry: Entry) -> dict[str, Any]:
    """What was answered: headers, body (text, cut to the journal's bound), and the stream's timeline."""
    stream = stream_summary(entry)
    body, cut = entry.answer_body, entry.answer_cut
    if stream is not None:
        from .journal import BODY_LIMIT

        whole = b"".join(data for _, data, _ in _rendered(entry))
        body, cut = whole[:BODY_LIMIT], max(0, len(whole) - BODY_LIMIT)
    return {
        "answer": {
            "headers": entry.answer_headers,
            "body": body.decode("utf-8", "replace") if body is not None else None,
            "cut_bytes": cut,
        },
        "timeline": stream,
    }


def brief(entry: Entry) -> dict[str, Any] | None:
    """The stream's numbers for a log line or a list: time to first token, chunks, the end."""
    if entry.writes is None:
        return None
    if "brief" in entry.derived:
        return entry.derived["brief"]  # type: ignore[no-any-return]
    if "timeline" in entry.derived:
        full = entry.derived["timeline"]
        return _kept(entry, "brief", {k: full[k] for k in ("ttft_ms", "chunks", "ended")})
    plan, ttft = entry.plan or [], None
    for offset, index in entry.writes:
        if plan[index].content:
            ttft = round(offset, 1)
            break
    return _kept(entry, "brief", {"ttft_ms": ttft, "chunks": entry.chunks_sent, "ended": _quick_end(entry)})


def _quick_end(entry: Entry) -> str | None:
    """``ending`` from the stream's last writes only (its end is all that tells)."""
    if entry.ended != "eof" or not entry.writes:
        return entry.ended
    plan, ids, tail = entry.plan or [], entry.ids or [], entry.writes[-_TAIL:]
    body = b"".join(Encoded(plan[i].data, plan[i].slots).render(ids) for _, i in tail)
    lines = body.splitlines()[1 if len(entry.writes) > _TAIL else 0 :]
    kinds = {line_kind(line) for line in lines}
    if "error" in kinds:
        return "error"
    return "done" if "done" in kinds else "truncated"
