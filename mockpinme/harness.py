"""``MockPinme``: a mockpinme server for tests and scripts. It knows nothing of pytest."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from .engine.journal import DEFAULT_LIMIT, Entry
from .engine.outbox import OutboxEmail
from .engine.settings import BODY_TIMEOUT_S, HEADER_TIMEOUT_S, IDLE_TIMEOUT_S, Settings
from .engine.state import ServerState
from .engine.verdict import Verdict, judge
from .http.app import create_app, is_loopback, start, url_host
from .scenario import Scenario
from .scenario.access import default_dirs
from .scenario.load import ScenarioSource


class CallList(list[Entry]):
    """Journal entries, oldest first, with what tests ask of them."""

    @property
    def called(self) -> bool:
        return bool(self)

    @property
    def call_count(self) -> int:
        return len(self)

    @property
    def last(self) -> Entry | None:
        return self[-1] if self else None


@dataclass(frozen=True)
class RuleCalls:
    """The requests one rule answered (as long as the journal keeps them)."""

    name: str
    calls: CallList

    @property
    def called(self) -> bool:
        return self.calls.called

    @property
    def call_count(self) -> int:
        return self.calls.call_count

    @property
    def last(self) -> Entry | None:
        return self.calls.last


class MockPinme:
    """A mockpinme server for tests and scripts.

    ``with MockPinme(scenario="low-balance") as m:`` serves from a daemon thread until the block
    ends; ``async with MockPinme(...) as m:`` serves in the running event loop instead.
    """

    def __init__(
        self,
        scenario: ScenarioSource = "default",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        speed: float = 1.0,
        journal_limit: int = DEFAULT_LIMIT,
        control_token: str | None = None,
        cors: bool = False,
        scenarios_dirs: Sequence[str | Path] | None = None,
        allowed_hosts: Sequence[str] = (),
        header_timeout_s: float = HEADER_TIMEOUT_S,
        body_timeout_s: float = BODY_TIMEOUT_S,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
    ) -> None:
        dirs = default_dirs(scenario) if scenarios_dirs is None else tuple(Path(d) for d in scenarios_dirs)
        settings = Settings(
            seed=seed,
            speed=speed,
            journal_limit=journal_limit,
            control_token=control_token,
            token_required=not is_loopback(host),
            cors=cors,
            scenarios_dirs=dirs,
            allowed_hosts=tuple(allowed_hosts),
            header_timeout_s=header_timeout_s,
            body_timeout_s=body_timeout_s,
            idle_timeout_s=idle_timeout_s,
        )
        self.state = ServerState.create(scenario, settings)
        self.host = host
        self.port = port
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    @property
    def base_url(self) -> str:
        """What a client's ``BASE_URL`` should be."""
        return f"http://{url_host(self.host)}:{self.port}"

    def url_for(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    def client_options(self, key: str = "test-key", project: str = "demo") -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI`` (or ``AsyncOpenAI``) that reach this server as PinMe."""
        return {
            "base_url": self.url_for("/api/v1"),
            "api_key": "unused",
            "default_headers": {"X-API-Key": key},
            "default_query": {"project_name": project},
        }

    @property
    def is_running(self) -> bool:
        """Is the server serving?"""
        return self._runner is not None or (self._thread is not None and self._thread.is_alive())

    @property
    def scenario(self) -> Scenario:
        """The active scenario."""
        return self.state.scenarios.active.scenario

    def use(self, scenario: ScenarioSource, *, seed: int | None = None) -> None:
        """Switch the scenario (a built-in name, a path, a mapping); raises ScenarioError if invalid."""
        self.state.scenarios.use(scenario, seed=seed)

    @property
    def speed(self) -> float:
        return self.state.runtime.clock.speed

    @speed.setter
    def speed(self, value: float) -> None:
        self.state.runtime.clock.speed = value

    def advance(self, seconds: float) -> None:
        """Move scenario time forward (rate-limit windows, token expiry), without waiting."""
        self.state.runtime.clock.advance(seconds)

    def clear(self) -> None:
        """Journal and outbox emptied; counters, sequences, balances, windows and users back to the start."""
        self.state.clear()

    reset = clear

    @property
    def requests(self) -> CallList:
        """The journal: every request to PinMe's paths, oldest first."""
        return CallList(self.state.runtime.journal)

    @property
    def last_request(self) -> Entry | None:
        """The newest journal entry."""
        entries = self.state.runtime.journal.entries
        return entries[-1] if entries else None

    def assert_requests(
        self, count: int, *, path: str | None = None, status: int | None = None
    ) -> list[Entry]:
        """Assert how many journaled requests there were (with that path and status); returns them."""
        journal = self.state.runtime.journal
        found = journal.select(path=path, status=status)
        if len(found) != count:
            seen = ", ".join(f"{e.method} {e.path} -> {e.status}" for e in journal) or "none"
            raise AssertionError(f"expected {count} request(s), got {len(found)}; journal: {seen}")
        return found

    def rule(self, name: str) -> RuleCalls:
        """The calls a rule of the active scenario answered, by its name (or ``rules[N]``)."""
        labels = self.state.scenarios.active.rules.labels
        if name not in labels:
            raise KeyError(f"no rule {name!r} in the scenario (rules: {', '.join(labels) or 'none'})")
        return RuleCalls(name, CallList(e for e in self.state.runtime.journal if e.rule == name))

    def assert_all_rules_used(self) -> None:
        """Fail, naming them, if some rules of the active scenario answered no request since the reset."""
        rules = self.state.scenarios.active.rules
        unused = [label for label, hits in zip(rules.labels, rules.hits, strict=True) if not hits]
        if unused:
            raise AssertionError(f"rules never used: {', '.join(unused)}")

    def verdict(self) -> Verdict:
        """Did the client behave since the last reset? ``.ok``, ``.findings``, ``.assert_ok()``."""
        return judge(self.state.runtime, self.state.scenarios)

    @property
    def outbox(self) -> list[OutboxEmail]:
        """Every mail accepted since the last reset (sent by a Worker or by create_user), oldest first."""
        return self.state.runtime.outbox.select()

    def last_email(self, to: str | None = None) -> OutboxEmail:
        """The newest mail (to ``to``); raises AssertionError, listing the outbox, when there is none."""
        found = self.state.runtime.outbox.select(to)
        if not found:
            held = ", ".join(f"{e.to}: {e.subject!r}" for e in self.outbox) or "nothing"
            raise AssertionError(f"no email{f' to {to}' if to else ''} in the outbox (it holds {held})")
        return found[-1]

    def id_token(
        self,
        email: str | None = None,
        *,
        uid: str | None = None,
        project: str | None = None,
        expires_in_s: float | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        """A signed id token for a user of the active scenario, as ``POST /__mockpinme/auth/token`` mints.

        ``project`` may be left out once the user's project has been used (by a call or a token).
        """
        runtime = self.state.runtime
        token, _, _ = self.state.scenarios.active.auth.mint(
            runtime.signer,
            runtime.clock,
            email=email,
            uid=uid,
            project=project,
            expires_in_s=expires_in_s,
            extra=claims,
        )
        return token

    def check(self) -> None:
        """Re-raise the first failure that happened inside the server, if any (then forget it)."""
        failures = self.state.runtime.failures
        if failures:
            failure = failures[0]
            failures.clear()
            raise failure

    def start(self) -> None:
        """Serve from a daemon thread; returns once the port is bound. Refuses a running server."""
        if self.is_running:
            raise RuntimeError(f"mockpinme is already running on {self.base_url}")
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, name="mockpinme", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            self._thread = None
            raise self._startup_error

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        try:
            runner, self.port = await start(create_app(self.state), self.host, self.port)
        except BaseException as exc:
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stopped.wait()
        finally:
            await runner.cleanup()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end; ``start()`` may then serve again."""
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout=5)
        self._thread = None
        self._loop = None
        self._stopped = None
        self._ready.clear()

    def __enter__(self) -> MockPinme:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MockPinme:
        if self.is_running:
            raise RuntimeError(f"mockpinme is already running on {self.base_url}")
        self._runner, self.port = await start(create_app(self.state), self.host, self.port)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
