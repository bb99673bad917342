"""``streams.*``: a stalled answer abandoned in time; an answer that ended early not taken for whole."""

from __future__ import annotations

from collections.abc import Callable

from ...scenario.expect import ExpectStreams
from ..journal import Entry
from ..request import text_of
from .findings import Finding
from .record import INCOMPLETE
from .resends import Chain, identity
from .timeline import Timeline, ended

StreamsOf = Callable[[Entry], ExpectStreams]


def _stall(entry: Entry, expect: ExpectStreams, timeline: Timeline) -> Finding | None:
    limit = expect.stall_timeout_s
    if entry.stalled_at is None or limit is None:
        return None
    end = ended(entry)
    silent = timeline.between(entry.stalled_at, end or timeline.now)
    if end is None:
        if silent <= limit:
            return None
        detail = f"still waiting on a stalled answer after {silent:.1f} s of silence (limit {limit:g} s)"
        return Finding("streams.stall", False, detail, (entry.id,))
    if not (entry.cancelled or entry.status is None):
        if silent <= limit:
            return None
        detail = f"waited {silent:.1f} s on a stalled answer until the mock reset it (limit {limit:g} s)"
        return Finding("streams.stall", False, detail, (entry.id,))
    if silent > limit:
        detail = f"gave up on a stalled answer only after {silent:.1f} s of silence (limit {limit:g} s)"
        return Finding("streams.stall", False, detail, (entry.id,))
    return Finding("streams.stall", True, f"gave up on a stalled answer after {silent:.1f} s", (entry.id,))


def _as_complete(entry: Entry, later: list[Entry]) -> Entry | None:
    """A later request from the same key that sends the early-ended text back as the assistant's turn."""
    partial = (entry.reply_text or "").strip()
    for other in later:
        if other.api_key != entry.api_key:
            continue
        body = other.json
        messages = body.get("messages") if isinstance(body, dict) else None
        for message in messages if isinstance(messages, list) else []:
            if isinstance(message, dict) and message.get("role") == "assistant":
                text = text_of(message.get("content")).strip()
                if text and partial.startswith(text) and text != partial:
                    return other
    return None


def _incomplete(entry: Entry, later: list[Entry], resent: set[int]) -> Finding | None:
    if entry.ending not in INCOMPLETE or entry.status != 200:
        return None
    taken = _as_complete(entry, later)
    how = {"error": "with an in-band error", "reset": "with a reset", "truncated": "without [DONE]"}.get(
        entry.ending or "", "stalled"
    )
    if taken is not None:
        detail = f"#{taken.id} sent back the partial text of #{entry.id} (ended {how}) as a whole answer"
        return Finding("streams.incomplete", False, detail, (entry.id, taken.id))
    if entry.id in resent:
        return Finding("streams.incomplete", True, f"re-sent the answer that ended {how}", (entry.id,))
    return None


def judge_streams(
    entries: list[Entry], chains: list[Chain], streams_of: StreamsOf, timeline: Timeline
) -> list[Finding]:
    """Findings on every stalled answer and every answer that ended early."""
    resent = {r.previous.id for c in chains for r in c.resends}
    findings: list[Finding] = []
    for index, entry in enumerate(entries):
        expect = streams_of(entry)
        stall = _stall(entry, expect, timeline)
        if stall is not None:
            findings.append(stall)
        if expect.incomplete and entry.ending in INCOMPLETE:
            later = [e for e in entries[index + 1 :] if identity(e) != identity(entry)]
            incomplete = _incomplete(entry, later, resent)
            if incomplete is not None:
                findings.append(incomplete)
    return findings
