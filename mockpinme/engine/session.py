"""One scenario in use: what is prepared once, and the counters, balances and replies its calls change."""

from __future__ import annotations

import dataclasses
from functools import cached_property

from ..openrouter.encode import compact_json
from ..scenario.model import Scenario
from .auth import AuthDesk
from .catalog import Catalog, ModelInfo
from .clock import Clock
from .gate import project_for
from .match import RuleBook
from .prepared import ReplyCache
from .ratelimit import RateLimiter
from .reply.build import ReplyBuilder
from .services import ScriptBook

_PREFERRED_DEFAULT_MODEL = "openai/gpt-4o-mini"


class Session:
    """A scenario ready to serve, with the state its calls change (``reset`` forgets it all)."""

    def __init__(
        self, scenario: Scenario, clock: Clock, builder: ReplyBuilder, seed: int | None = None
    ) -> None:
        if seed is not None:
            scenario = dataclasses.replace(scenario, seed=seed)
        self.scenario = scenario
        self.catalog = Catalog(scenario.models, scenario.seed)
        self.rules = RuleBook(scenario.rules)
        self.limiter = RateLimiter(scenario.rate_limits, clock)
        self.replies = ReplyCache(builder)
        self.tracks_balance = any(p.balance_usd is not None for p in scenario.projects.values())
        self.calls = 0
        self.balances: dict[str, float] = {}
        self.mail = ScriptBook(scenario.email.rules, "email")
        self.auth = AuthDesk(scenario.auth, scenario.seed)

    @cached_property
    def models_body(self) -> bytes:
        """The unfiltered ``/models`` body, encoded on first use."""
        return compact_json(self.catalog.listing({}))

    @cached_property
    def default_model(self) -> str:
        """The model a request without ``model`` gets (the account default, for OpenRouter)."""
        models = self.catalog.by_id
        return _PREFERRED_DEFAULT_MODEL if _PREFERRED_DEFAULT_MODEL in models else next(iter(models), "")

    @property
    def name(self) -> str:
        return self.scenario.name

    def reset(self) -> None:
        """Forget every call: counters, sequences, balances, windows, replies and users back to the start."""
        self.calls = 0
        self.balances = {}
        self.rules.reset()
        self.limiter.windows.clear()
        self.replies.clear()
        self.mail.reset()
        self.auth.reset()

    def next_call(self) -> int:
        """Count one more chat call and return its number, from 1."""
        self.calls += 1
        return self.calls

    def balance(self, project: str) -> float | None:
        """What is left of the project's LLM balance in USD; None when unlimited."""
        if project in self.balances:
            return self.balances[project]
        settings = project_for(self.scenario, project)
        return settings.balance_usd if settings else None

    def charge(self, project: str, cost: float) -> None:
        """Take a reply's cost off the project's balance (if it has one)."""
        if not self.tracks_balance:
            return
        left = self.balance(project)
        if left is not None:
            self.balances[project] = max(0.0, left - cost)

    def model(self, model_id: str) -> ModelInfo | None:
        """The served model for a requested id."""
        return self.catalog.get(model_id)
