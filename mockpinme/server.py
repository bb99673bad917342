"""The aiohttp application, and two ways to run it: ``serve`` (the CLI) and :class:`MockPinme`."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import logging
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

from aiohttp import web

from . import control, guard, routes
from .journal import DEFAULT_LIMIT, Entry
from .scenario.load import ScenarioSource
from .state import SERVER, ServerState

log = logging.getLogger("mockpinme")

LISTEN_BACKLOG = 1024


def create_app(state: ServerState) -> web.Application:
    """The application for one server state."""
    app = web.Application(client_max_size=2**62)
    app[SERVER] = state
    if state.cors:
        app.on_response_prepare.append(guard.cors_headers)
    for method, path, handler in (*routes.ROUTES, *control.routes()):
        if method == "GET":
            app.router.add_get(path, guard.guarded(handler))
        else:
            app.router.add_route(method, path, guard.guarded(handler))
    app.router.add_route("*", "/{path:.*}", guard.guarded(guard.unrouted))
    return app


def is_loopback(host: str) -> bool:
    """Does ``host`` name only this machine?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving ``app``; returns the runner and the bound port (useful with port 0)."""
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=0.5, handler_cancellation=True
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, int(runner.addresses[0][1])


async def serve(
    state: ServerState,
    host: str,
    port: int,
    scenario_label: str,
    background: Callable[[], Any] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; prints one line with the real URL once listening.

    ``background``, if given, is a coroutine function run alongside (the scenario watcher).
    What start-up left in memory is frozen out of the garbage collector's passes: the process
    is the server's alone, and those passes would otherwise walk it again and again under load.
    """
    runner, bound = await start(create_app(state), host, port)
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"mockpinme listening on http://{_url_host(host)}:{bound} (scenario: {scenario_label})", flush=True)
    task = asyncio.create_task(background()) if background else None
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        if task is not None:
            task.cancel()
        await runner.cleanup()


def run(main: Coroutine[Any, Any, None], loop: str = "auto") -> None:
    """Run ``main`` to completion on uvloop (when installed and ``loop`` allows) or asyncio's loop."""
    if loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if loop == "uvloop":
                raise
        else:
            uvloop.run(main)
            return
    asyncio.run(main)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class MockPinme:
    """A mockpinme server for tests and scripts; it knows nothing of pytest.

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
    ) -> None:
        self.state = ServerState.create(scenario, seed=seed, speed=speed, journal_limit=journal_limit)
        self.state.control_token = control_token
        self.state.token_required = not is_loopback(host)
        self.state.cors = cors
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
        return f"http://{_url_host(self.host)}:{self.port}"

    def url_for(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    def use(self, scenario: ScenarioSource, *, seed: int | None = None) -> None:
        """Switch the scenario (a built-in name, a path, a mapping); raises ScenarioError if invalid."""
        self.state.use(scenario, seed=seed)

    @property
    def speed(self) -> float:
        return self.state.clock.speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value < 0:
            raise ValueError("speed must be >= 0")
        self.state.clock.speed = value

    def advance(self, seconds: float) -> None:
        """Move scenario time forward (rate-limit windows), without waiting."""
        self.state.clock.advance(seconds)

    def reset(self) -> None:
        """Journal, counters, sequences, balances and rate-limit windows back to the start."""
        self.state.reset()

    @property
    def requests(self) -> list[Entry]:
        """The journal: every request to PinMe's paths, oldest first."""
        return list(self.state.journal)

    @property
    def last_request(self) -> Entry | None:
        """The newest journal entry."""
        entries = self.state.journal.entries
        return entries[-1] if entries else None

    def assert_requests(
        self, count: int, *, path: str | None = None, status: int | None = None
    ) -> list[Entry]:
        """Assert how many journaled requests there were (with that path and status); returns them."""
        found = self.state.journal.select(path=path, status=status)
        if len(found) != count:
            seen = ", ".join(f"{e.method} {e.path} -> {e.status}" for e in self.state.journal) or "none"
            raise AssertionError(f"expected {count} request(s), got {len(found)}; journal: {seen}")
        return found

    def check(self) -> None:
        """Re-raise the first failure that happened inside the server, if any (then forget it)."""
        if self.state.failures:
            failure = self.state.failures[0]
            self.state.failures.clear()
            raise failure

    def start(self) -> None:
        """Serve from a daemon thread; returns once the port is bound."""
        self._thread = threading.Thread(target=self._run, name="mockpinme", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
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
        """Stop serving and wait for the thread to end."""
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> MockPinme:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MockPinme:
        self._runner, self.port = await start(create_app(self.state), self.host, self.port)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def configure_logging(level: str) -> None:
    """Logs to stderr, one line each."""
    logging.basicConfig(
        stream=sys.stderr, level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
