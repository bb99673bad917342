"""What one running server holds: the active scenario, the clock, the reply builder, the failures."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .journal import DEFAULT_LIMIT, Journal
from .reply.build import ReplyBuilder
from .runtime import ActiveScenario
from .scenario import Scenario, ScenarioError, load_scenario
from .scenario.convert import Problem
from .scenario.load import ScenarioSource
from .wire.clock import Clock

SCENARIO_HEADER = "X-Mockpinme-Scenario"
"""The request header that picks a built-in scenario for one request."""


@dataclass
class ServerState:
    """The mutable heart of one server; kept in the app under :data:`SERVER`."""

    active: ActiveScenario
    clock: Clock
    seed: int | None = None
    replies: ReplyBuilder = field(default_factory=ReplyBuilder)
    ids: random.Random = field(default_factory=random.Random)
    failures: list[BaseException] = field(default_factory=list)
    by_name: dict[str, ActiveScenario] = field(default_factory=dict)
    journal: Journal = field(default_factory=Journal)
    control_token: str | None = None
    token_required: bool = False
    cors: bool = False
    _restored: tuple[ScenarioSource, int | None] | None = None

    @classmethod
    def create(
        cls,
        scenario: ScenarioSource,
        *,
        seed: int | None = None,
        speed: float = 1.0,
        journal_limit: int = DEFAULT_LIMIT,
    ) -> ServerState:
        """Load the scenario (raises ScenarioError) and prepare it."""
        clock = Clock(speed)
        return cls(
            ActiveScenario(load_scenario(scenario), clock, seed), clock, seed, journal=Journal(journal_limit)
        )

    def use(self, scenario: ScenarioSource, *, seed: int | None = None) -> None:
        """Switch the active scenario (validated first); counters and balances start afresh."""
        self._restored = None
        self.active = ActiveScenario(load_scenario(scenario), self.clock, self.seed if seed is None else seed)

    def restore(self, scenario: ScenarioSource, *, seed: int | None = None) -> None:
        """Make ``scenario`` active and everything fresh: cheap when it is already the active one."""
        self.reset()
        key = (scenario, seed) if isinstance(scenario, str) else None
        if key is None or key != self._restored:
            self.use(scenario, seed=seed)
        self._restored = key

    def use_loaded(self, scenario: Scenario) -> None:
        """Switch to a scenario already loaded and validated."""
        self._restored = None
        self.active = ActiveScenario(scenario, self.clock, self.seed)

    def state(self) -> dict[str, Any]:
        """Counters, balances and rate-limit windows of every scenario in use."""
        scenarios = {"": self.active, **self.by_name}
        return {
            "scenario": self.active.scenario.name,
            "speed": self.clock.speed,
            "clock_s": round(self.clock.now(), 3),
            "journal_entries": len(self.journal),
            "scenarios": {
                name or active.scenario.name: {
                    "calls": active.calls,
                    "rule_hits": {
                        (rule.name or f"rules[{i}]"): hits
                        for i, (rule, hits) in enumerate(
                            zip(active.rules.rules, active.rules.hits, strict=True)
                        )
                    },
                    "balances": {p: active.balance(p) for p in active.balances},
                    "rate_limits": active.limiter.state(),
                }
                for name, active in scenarios.items()
            },
        }

    def scenario_for(self, name: str | None) -> ActiveScenario:
        """The scenario a request asked for by name (``X-Mockpinme-Scenario``), else the active one.

        Each named scenario keeps its own counters and balances, so parallel tests do not meet.
        Raises ScenarioError for a name that is not a built-in.
        """
        if not name:
            return self.active
        if name not in self.by_name:
            if "/" in name or "\\" in name or name.startswith("."):
                raise ScenarioError([Problem(None, (), f"'{name}' is not a built-in scenario name")])
            self.by_name[name] = ActiveScenario(load_scenario(name), self.clock, self.seed)
        return self.by_name[name]

    def reset(self) -> None:
        """Every scenario back to its start (counters, sequences, balances, rate-limit windows),
        and the journal emptied."""
        self.active.reset()
        for scenario in self.by_name.values():
            scenario.reset()
        self.journal.clear()


SERVER = web.AppKey("mockpinme_server", ServerState)
