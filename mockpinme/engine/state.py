"""What one server holds: its fixed settings, the scenario registry and the runtime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..scenario.load import ScenarioSource
from .registry import ScenarioRegistry
from .runtime import Runtime
from .settings import Settings

SCENARIO_HEADER = "X-Mockpinme-Scenario"
"""The request header that picks a built-in scenario for one request."""


@dataclass(frozen=True)
class ServerState:
    """Settings (fixed), scenarios (switchable) and runtime (clock, ids, journal, failures)."""

    settings: Settings
    scenarios: ScenarioRegistry
    runtime: Runtime

    @classmethod
    def create(cls, scenario: ScenarioSource, settings: Settings | None = None) -> ServerState:
        """Load the scenario (raises ScenarioError) and prepare it."""
        settings = settings or Settings()
        runtime = Runtime.create(settings.speed, settings.journal_limit)
        return cls(settings, ScenarioRegistry(runtime, scenario, settings.seed, settings.access), runtime)

    def clear(self) -> None:
        """Journal, failures and outbox emptied; counters, balances, windows and users back to the start."""
        self.scenarios.reset()
        self.runtime.journal.clear()
        self.runtime.failures.clear()
        self.runtime.outbox.clear()

    def snapshot(self) -> dict[str, Any]:
        """Counters, balances and rate-limit windows of every scenario in use."""
        clock = self.runtime.clock
        return {
            "scenario": self.scenarios.active.name,
            "speed": clock.speed,
            "clock_s": round(clock.now(), 3),
            "journal_entries": len(self.runtime.journal),
            "scenarios": {
                name: {
                    "calls": session.calls,
                    "rule_hits": dict(zip(session.rules.labels, session.rules.hits, strict=True)),
                    "balances": {p: session.balance(p) for p in session.balances},
                    "rate_limits": session.limiter.state(),
                }
                for name, session in self.scenarios.sessions().items()
            },
        }
