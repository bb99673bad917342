"""What the http layer notes on a journal entry for the verdict: a reply's ending and ``Retry-After``."""

from __future__ import annotations

import email.utils
import time
from typing import Protocol

from ...openrouter.faults import Fault
from ..clock import Clock
from ..journal import Entry

ENDINGS = {
    "stream_error": "error",
    "disconnect": "reset",
    "truncate": "truncated",
    "stall": "stalled",
    "malformed": "complete",
}
INCOMPLETE = frozenset({"error", "reset", "truncated", "stalled"})


def note_reply(entry: Entry | None, fault: Fault | None, content: str | None) -> None:
    """How the reply is planned to end; the text it would have had when it ends early."""
    if entry is None:
        return
    entry.ending = "complete" if fault is None else ENDINGS[fault.kind]
    if entry.ending in INCOMPLETE:
        entry.reply_text = content


def retry_after_s(value: str) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date; None when it is neither."""
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Stallable(Protocol):
    stalled_at: tuple[float, float] | None


def note_stall(progress: Stallable, clock: Clock) -> None:
    """The moment a reply went silent, on the scenario clock and in real seconds."""
    progress.stalled_at = (clock.now(), time.perf_counter())
