"""What one running server holds: the active scenario, the clock, the reply builder, the failures."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from .reply.build import ReplyBuilder
from .runtime import ActiveScenario
from .scenario import load_scenario
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

    @classmethod
    def create(cls, scenario: ScenarioSource, *, seed: int | None = None, speed: float = 1.0) -> ServerState:
        """Load the scenario (raises ScenarioError) and prepare it."""
        return cls(ActiveScenario(load_scenario(scenario), seed), Clock(speed), seed)

    def use(self, scenario: ScenarioSource) -> None:
        """Switch the active scenario; counters and balances start afresh."""
        self.active = ActiveScenario(load_scenario(scenario), self.seed)


SERVER = web.AppKey("mockpinme_server", ServerState)
