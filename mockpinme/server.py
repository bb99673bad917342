"""The aiohttp application, and two ways to run it: ``serve`` (the CLI) and :class:`MockPinme`."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web

from . import control, routes
from .runtime import compact_json
from .scenario.load import ScenarioSource
from .state import SERVER, ServerState

log = logging.getLogger("mockpinme")

LISTEN_BACKLOG = 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _pinme_error(status: int, text: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"code": status, "msg": "error", "data": {"error": text}}
    return web.Response(
        status=status, body=compact_json(body), content_type="application/json", headers=headers
    )


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown paths and methods answer JSON; a failure inside the mock is kept for ``check()``."""
    try:
        return await handler(request)
    except web.HTTPMethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.allowed_methods))
        text = f"Method {request.method} not allowed for {request.path} (allowed: {allowed})"
        return _pinme_error(405, text, {"Allow": allowed})
    except web.HTTPException as exc:
        if exc.status == 404:
            return _pinme_error(404, f"Not found: {request.method} {request.path}")
        raise
    except (asyncio.CancelledError, ConnectionError):
        raise
    except Exception as exc:
        request.app[SERVER].failures.append(exc)
        log.exception("mockpinme failed on %s %s", request.method, request.path)
        body = {"error": {"message": f"mockpinme internal error: {exc!r}", "code": 500}}
        return web.Response(status=500, body=compact_json(body), content_type="application/json")


def create_app(state: ServerState) -> web.Application:
    """The application for one server state."""
    app = web.Application(middlewares=[_json_errors], client_max_size=2**62)
    app[SERVER] = state
    app.router.add_get("/api/v1/models", routes.list_models)
    app.router.add_post("/api/v1/chat/completions", routes.chat_completions)
    control.add_routes(app)
    return app


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


async def serve(state: ServerState, host: str, port: int, scenario_label: str) -> None:
    """Serve until SIGINT or SIGTERM; prints one line with the real URL once listening."""
    runner, bound = await start(create_app(state), host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(
        f"mockpinme listening on http://{_url_host(host)}:{bound} (scenario: {scenario_label})",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runner.cleanup()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class MockPinme:
    """A mockpinme server for tests and scripts; it knows nothing of pytest.

    ``with MockPinme(scenario="low-balance") as m:`` serves from a daemon thread until the block ends.
    """

    def __init__(
        self,
        scenario: ScenarioSource = "default",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        speed: float = 1.0,
    ) -> None:
        self.state = ServerState.create(scenario, seed=seed, speed=speed)
        self.host = host
        self.port = port
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    @property
    def base_url(self) -> str:
        """What a client's ``BASE_URL`` should be."""
        return f"http://{_url_host(self.host)}:{self.port}"

    def url_for(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    def use(self, scenario: ScenarioSource) -> None:
        """Switch the scenario (a built-in name, a path, a mapping)."""
        self.state.use(scenario)

    def advance(self, seconds: float) -> None:
        """Move scenario time forward (rate-limit windows), without waiting."""
        self.state.clock.advance(seconds)

    def check(self) -> None:
        """Re-raise the first failure that happened inside the server, if any."""
        if self.state.failures:
            raise self.state.failures[0]

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
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def configure_logging(level: str) -> None:
    """Logs to stderr, one line each."""
    logging.basicConfig(
        stream=sys.stderr,
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
