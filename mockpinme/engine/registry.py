"""The scenarios a server serves: the active one, and those requests name with a header."""

from __future__ import annotations

from ..scenario import load_scenario
from ..scenario.access import Access
from ..scenario.load import ScenarioSource
from .runtime import Runtime
from .session import Session


class ScenarioRegistry:
    """The active session, and one session per scenario a request picks by name."""

    def __init__(
        self,
        runtime: Runtime,
        scenario: ScenarioSource,
        seed: int | None = None,
        access: Access | None = None,
    ) -> None:
        self.runtime = runtime
        self.seed = seed
        self.access = access or Access()
        self.by_name: dict[str, Session] = {}
        self.active = self._session(scenario, seed)

    def _session(self, scenario: ScenarioSource, seed: int | None) -> Session:
        loaded = load_scenario(scenario)
        return Session(loaded, self.runtime.clock, self.runtime.replies, seed)

    def use(self, scenario: ScenarioSource, *, seed: int | None = None) -> Session:
        """Make ``scenario`` (a name, a path, a mapping or a loaded Scenario) the active one, fresh.

        It is validated first: on a ScenarioError the active scenario stays as it was.
        """
        self.active = self._session(scenario, self.seed if seed is None else seed)
        return self.active

    def lookup(self, name: str | None) -> Session:
        """The session a request asked for by name (``X-Mockpinme-Scenario``), else the active one.

        Each named scenario keeps its own counters and balances, so parallel tests do not meet.
        Raises ScenarioError for a name that is neither a built-in nor a scenario in an allowed folder.
        """
        if not name:
            return self.active
        found = self.by_name.get(name)
        if found is None:
            loaded = load_scenario(self.access.by_name(name), access=self.access)
            found = self.by_name[name] = self._session(loaded, self.seed)
        return found

    def sessions(self) -> dict[str, Session]:
        """Every session in use, the active one first, by scenario name."""
        return {self.active.name: self.active, **self.by_name}

    def reset(self) -> None:
        """Every session back to its start."""
        self.active.reset()
        for session in self.by_name.values():
            session.reset()
