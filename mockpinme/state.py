"""What one running server holds: the active scenario, the clock, the reply builder, the failures."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from .reply.build import ReplyBuilder
from .runtime import ActiveScenario
from .scenario import ScenarioError, load_scenario
from .scenario.convert import Problem
from .scenario.load import ScenarioSource
from .wire.clock import Clock


@dataclass
class ServerState:
    """The mutable heart of one server; kept in the app under :data:`SERVER`."""

    active: ActiveScenario
    clock: Clock
    seed: int | None = None
    replies: ReplyBuilder = field(default_factory=ReplyBuilder)
    failures: list[BaseException] = field(default_factory=list)
    by_name: dict[str, ActiveScenario] = field(default_factory=dict)

    @classmethod
    def create(cls, scenario: ScenarioSource, *, seed: int | None = None, speed: float = 1.0) -> ServerState:
        """Load the scenario (raises ScenarioError) and prepare it."""
        clock = Clock(speed)
        return cls(ActiveScenario(load_scenario(scenario), clock, seed), clock, seed)

    def use(self, scenario: ScenarioSource) -> None:
        """Switch the active scenario; counters and balances start afresh."""
        self.active = ActiveScenario(load_scenario(scenario), self.clock, self.seed)

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
        """Every scenario back to its start: counters, sequences, balances, rate-limit windows."""
        self.active.reset()
        for scenario in self.by_name.values():
            scenario.reset()


SERVER = web.AppKey("mockpinme_server", ServerState)
