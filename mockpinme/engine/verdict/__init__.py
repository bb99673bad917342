"""The verdict: did the client behave? The journal since the last reset judged against each request's
scenario's ``expect`` section (retries, streams, PinMe's guide)."""

from __future__ import annotations

from ...scenario.expect import Expect
from ..journal import Entry
from ..registry import ScenarioRegistry
from ..runtime import Runtime
from .findings import Finding, Verdict
from .guide import judge_guide
from .resends import chains
from .retries import judge_retries
from .streams import judge_streams
from .timeline import Timeline

__all__ = ["Finding", "Verdict", "judge"]


def judge(runtime: Runtime, scenarios: ScenarioRegistry) -> Verdict:
    """The verdict on every request the journal holds, each judged under its own scenario's ``expect``."""
    entries = sorted(runtime.journal, key=lambda e: e.id)
    sessions = scenarios.sessions()

    def expect(entry: Entry) -> Expect:
        return (sessions.get(entry.scenario) or scenarios.active).scenario.expect

    timeline = Timeline.of(runtime.clock)
    found = chains(entries, timeline)
    findings = [
        *judge_retries(found, lambda e: expect(e).retries),
        *judge_streams(entries, found, lambda e: expect(e).streams, timeline),
        *judge_guide(entries, lambda e: expect(e).guide),
    ]
    return Verdict(tuple(findings), len(entries))
