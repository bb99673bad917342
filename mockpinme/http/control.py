"""The control API, a sub-app under ``/__mockpinme/``: scenario switching, the journal, state,
reset, time, the verdict.

JSON in and out. Only a local ``Host`` (or one given with ``--allow-host``) is answered, and a
call that changes state is refused when its ``Origin`` is another site. Once a token is set
(always, when bound off loopback) every call but ``health`` needs it, as ``Authorization: Bearer
TOKEN`` or ``X-Mockpinme-Token: TOKEN``.
"""

from __future__ import annotations

import asyncio
import hmac
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .._version import __version__
from ..engine.state import ServerState
from ..openrouter.encode import parse_json
from ..scenario import Scenario, ScenarioError, builtins, load_scenario, load_text
from ..scenario.convert import Problem
from ..scenario.source import MAX_FILE_BYTES, SourceError, decode_utf8
from .bodies import BodyProblem, read_capped
from .fallback import unrouted
from .guard import SAFE_METHODS, host_allowed, origin_allowed
from .inspector import PAGE_PATHS, add_routes
from .journaled import journaled
from .keys import CONTROL_PREFIX, SERVER
from .respond import json_response
from .services_control import OPEN_PATHS, ROUTES
from .verdict import get_verdict

PREFIX = CONTROL_PREFIX
TOKEN_HEADER = "X-Mockpinme-Token"
_OPEN = frozenset(
    {f"{PREFIX}/health", *(PREFIX + path for path in PAGE_PATHS), *(PREFIX + p for p in OPEN_PATHS)}
)
MAX_CONTROL_BODY = MAX_FILE_BYTES
"""The largest control API body (an inline YAML scenario)."""
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _problem(status: int, message: str, problems: list[str] | None = None) -> web.Response:
    error: dict[str, Any] = {"message": message, "code": status}
    if problems is not None:
        error["problems"] = problems
    return json_response({"error": error}, status)


def _given_token(request: web.Request) -> bytes | None:
    given = request.headers.get(TOKEN_HEADER)
    if given is None:
        scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
        given = credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None
    return None if given is None else given.encode("utf-8", "surrogateescape")


async def _token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The control API's own gate, in front of each of its handlers."""
    settings = request.app[SERVER].settings
    if not host_allowed(request.headers.get("Host"), settings.allowed_hosts):
        return _problem(
            421, "the control API answers only Host localhost, 127.0.0.1 or [::1] (see --allow-host)"
        )
    if request.method not in SAFE_METHODS and not origin_allowed(
        request.headers.get("Origin"), settings.allowed_hosts
    ):
        return _problem(403, "the control API refuses calls that change state from another site's page")
    if request.path in _OPEN:
        return await handler(request)
    if settings.control_token is None:
        if settings.token_required:
            return _problem(
                403,
                "the control API needs a token when bound off loopback: start the server with"
                " --control-token TOKEN or $MOCKPINME_CONTROL_TOKEN, then send Authorization: Bearer TOKEN",
            )
        return await handler(request)
    given = _given_token(request)
    if given is None or not hmac.compare_digest(given, settings.control_token.encode()):
        return _problem(
            401,
            "the control API needs the control token:"
            " send Authorization: Bearer TOKEN or X-Mockpinme-Token: TOKEN",
        )
    return await handler(request)


async def _body(request: web.Request) -> bytes | web.Response:
    try:
        data = await read_capped(request, MAX_CONTROL_BODY)
    except BodyProblem as problem:
        return _problem(problem.status, problem.message)
    if data is None:
        return _problem(413, f"the body is larger than {MAX_CONTROL_BODY // (1 << 20)} MB")
    return data


async def health(request: web.Request) -> web.Response:
    """``GET health``: alive, which scenario, which version (never needs the token)."""
    active = request.app[SERVER].scenarios.active
    return json_response({"status": "ok", "scenario": active.name, "version": __version__})


async def list_scenarios(request: web.Request) -> web.Response:
    """``GET scenarios``: the built-in scenarios."""
    return json_response({"scenarios": [{"name": b.name, "description": b.description} for b in builtins()]})


async def get_scenario(request: web.Request) -> web.Response:
    """``GET scenario``: the active scenario."""
    session = request.app[SERVER].scenarios.active
    scenario = session.scenario
    return json_response(
        {
            "name": scenario.name,
            "description": scenario.description,
            "seed": scenario.seed,
            "strict": scenario.strict,
            "rules": session.rules.labels,
        }
    )


def _load(state: ServerState, content_type: str, data: bytes) -> Scenario | web.Response:
    """The scenario a PUT body names or holds, loaded as the server's access policy allows."""
    access = state.settings.access
    if content_type in ("application/yaml", "application/x-yaml", "text/yaml", "text/plain"):
        try:
            text = decode_utf8(data, "<request body>")
        except SourceError as exc:
            raise ScenarioError([Problem(exc.place, (), exc.message)]) from None
        return load_text(text, "<request body>", relative_to=access.home(), access=access)
    try:
        body = parse_json(data)
    except ValueError:
        return _problem(400, "the body is neither JSON nor YAML (send YAML as application/yaml)")
    if not isinstance(body, dict) or len({"name", "path", "scenario"} & set(body)) != 1:
        return _problem(400, 'send one of {"name": …}, {"path": …}, {"scenario": {…}}')
    if "scenario" in body:
        if not isinstance(body["scenario"], dict):
            return _problem(400, '"scenario" must be a mapping')
        return load_scenario(body["scenario"], relative_to=access.home(), access=access)
    reference = body.get("name") or body.get("path")
    if not isinstance(reference, str):
        return _problem(400, '"name" and "path" take a string')
    source = access.by_path(reference) if "path" in body else access.by_name(reference)
    return load_scenario(source, access=access)


async def put_scenario(request: web.Request) -> web.Response:
    """``PUT scenario``: switch by ``{"name"}``, ``{"path"}``, ``{"scenario": {...}}`` or a YAML body.

    Names are built-ins or scenarios in the ``--scenarios-dir`` folders, paths lie in those
    folders; the loading (file reads included) runs off the event loop."""
    state = request.app[SERVER]
    data = await _body(request)
    if isinstance(data, web.Response):
        return data
    try:
        scenario = await asyncio.to_thread(_load, state, request.content_type, data)
    except ScenarioError as exc:
        return _problem(400, "the scenario is not valid", [str(p) for p in exc.problems])
    if isinstance(scenario, web.Response):
        return scenario
    state.scenarios.use(scenario)
    return json_response({"status": "ok", "scenario": scenario.name})


def _int(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    return int(value) if value not in (None, "") else None


async def get_requests(request: web.Request) -> web.Response:
    """``GET requests``: the journal, filtered by ``path``, ``status``, ``since`` (an id); ``limit``."""
    try:
        entries = request.app[SERVER].runtime.journal.select(
            path=request.query.get("path") or None,
            status=_int(request, "status"),
            since=_int(request, "since"),
            limit=_int(request, "limit"),
        )
    except ValueError:
        return _problem(400, "status, since and limit take whole numbers")
    return json_response({"requests": [e.to_json() for e in entries]})


async def reset(request: web.Request) -> web.Response:
    """``POST reset``: journal, counters, sequences, balances and rate-limit windows back to the start."""
    request.app[SERVER].clear()
    return json_response({"status": "ok"})


async def get_state(request: web.Request) -> web.Response:
    """``GET state``: balances, rate-limit windows, counters."""
    return json_response(request.app[SERVER].snapshot())


async def post_clock(request: web.Request) -> web.Response:
    """``POST clock`` ``{"advance_s": N}``: move scenario time on (rate-limit windows)."""
    data = await _body(request)
    if isinstance(data, web.Response):
        return data
    try:
        value = parse_json(data)["advance_s"]
    except (ValueError, KeyError, TypeError):
        value = None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return _problem(400, 'send {"advance_s": seconds}, a finite number of seconds, 0 or more')
    seconds = float(value)
    clock = request.app[SERVER].runtime.clock
    clock.advance(seconds)
    return json_response({"clock_s": round(clock.now(), 3)})


def _gated(handler: Handler) -> Handler:
    async def gated(request: web.Request) -> web.StreamResponse:
        return await _token(request, handler)

    gated.__doc__ = handler.__doc__
    return journaled(gated)


def control_app(state: ServerState) -> web.Application:
    """The control API as a sub-app, its gate in front of each route.

    Not an aiohttp middleware: one on a sub-app makes the parent build a middleware chain for
    every request, PinMe's paths included.
    """
    app = web.Application()
    app[SERVER] = state
    for method, path, handler in (
        ("GET", "/health", health),
        ("GET", "/scenarios", list_scenarios),
        ("GET", "/scenario", get_scenario),
        ("PUT", "/scenario", put_scenario),
        ("GET", "/requests", get_requests),
        ("POST", "/reset", reset),
        ("GET", "/state", get_state),
        ("POST", "/clock", post_clock),
        ("GET", "/verdict", get_verdict),
        *ROUTES,
    ):
        if method == "GET":
            app.router.add_get(path, _gated(handler))
        else:
            app.router.add_route(method, path, _gated(handler))
    add_routes(app, _gated)
    app.router.add_route("*", "/{path:.*}", _gated(unrouted))
    return app
