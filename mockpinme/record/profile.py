"""A recorded stream's timing as a stream profile: time to first data, the gaps as a distribution.

The replay cuts text into words, so the recorded gaps are rescaled to the replay's pieces: the
same mean pace over the whole reply, the same spread (a lognormal's sigma) between pieces.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .exchange import Event

_MAX_SIGMA = 2.0


def latency_ms(seconds: float) -> float:
    """A JSON reply's recorded latency, in whole milliseconds (rounded to 0.1)."""
    return round(seconds * 1000, 1)


def _pieces(reply: dict[str, Any]) -> int:
    words = len(re.findall(r"\s*\S+|\s+$", reply.get("content") or ""))
    words += len(re.findall(r"\s*\S+|\s+$", reply.get("reasoning") or ""))
    for call in reply.get("tool_calls") or []:
        arguments = str(call.get("arguments") or "")
        size = max(1, -(-len(arguments) // 3))
        words += 1 + -(-len(arguments) // size)
    return words


def _gaps(times: Sequence[float]) -> list[float]:
    return [max(0.0, b - a) * 1000 for a, b in itertools.pairwise(times)]


def _distribution(gaps: list[float], scale: float) -> dict[str, Any] | float:
    if not gaps:
        return 0.0
    mean = statistics.fmean(gaps) * scale
    logs = [math.log(g) for g in gaps if g > 0]
    sigma = min(_MAX_SIGMA, statistics.pstdev(logs)) if len(logs) >= 3 else 0.0
    if sigma < 0.05 or mean <= 0:
        return round(mean, 2)
    median = mean * math.exp(-sigma * sigma / 2)
    peak = max(gaps) * scale
    return {"lognormal": {"median": round(median, 2), "sigma": round(sigma, 3), "max": round(peak, 2)}}


def stream_profile(events: Sequence[Event], reply: dict[str, Any]) -> dict[str, Any]:
    """``ttft_ms``, ``keepalive_ms`` (when two or more keep-alives came first) and the gaps."""
    data_events = [e for e in events if not e.comment]
    data = [e.at for e in data_events]
    profile: dict[str, Any] = {"ttft_ms": round(data[0] * 1000, 1) if data else 0.0, "search_ms": 0}
    first = data[0] if data else math.inf
    comments = [e.at for e in events if e.comment and e.at <= first]
    keepalive = _gaps(comments)
    if keepalive and statistics.median(keepalive) >= 1:
        profile["keepalive_ms"] = round(statistics.median(keepalive), 1)
    moving = [i for i, e in enumerate(data_events) if _moves(e.data)]
    gaps = _gaps(data[: moving[-1] + 1]) if moving else []
    pieces = _pieces(reply)
    scale = len(gaps) / pieces if pieces else 1.0
    profile["chunk_delay_ms"] = _distribution(gaps, scale)
    profile["chunk"] = "word"
    return profile


def _moves(data: str) -> bool:
    """Does the event carry text, reasoning or a tool call (not the finish, usage or [DONE])?"""
    try:
        chunk = json.loads(data)
    except ValueError:
        return False
    choices = chunk.get("choices") if isinstance(chunk, dict) else None
    return any(
        isinstance(c, dict)
        and any((c.get("delta") or {}).get(k) for k in ("content", "reasoning", "tool_calls"))
        for c in choices or []
    )
