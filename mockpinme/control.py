"""The control API under ``/__mockpinme/``: scenario switching, the journal, state, reset, time.

JSON in and out. Once a token is set (always, when bound off loopback) every call but ``health``
needs it, as ``Authorization: Bearer TOKEN`` or ``X-Mockpinme-Token: TOKEN``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from ._version import __version__
from .scenario import ScenarioError, builtins, load_scenario, load_text
from .state import SERVER
from .wire.encode import compact_json

PREFIX = "/__mockpinme"
TOKEN_HEADER = "X-Mockpinme-Token"
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=compact_json(body), content_type="application/json")


def _problem(status: int, message: str, problems: list[str] | None = None) -> web.Response:
    error: dict[str, Any] = {"message": message, "code": status}
    if problems is not None:
        error["problems"] = problems
    return _json({"error": error}, status)


def _needs_token(handler: Handler) -> Handler:
    async def with_token(request: web.Request) -> web.Response:
        state = request.app[SERVER]
        if state.control_token is None:
            if state.token_required:
                return _problem(403, "the control API needs --control-token when bound off loopback")
            return await handler(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        given = request.headers.get(TOKEN_HEADER, bearer)
        if not hmac.compare_digest(given.encode(), state.control_token.encode()):
            return _problem(401, "the control API needs the control token")
        return await handler(request)

    with_token.__doc__ = handler.__doc__
    return with_token


async def health(request: web.Request) -> web.Response:
    """``GET health``: alive, which scenario, which version (never needs the token)."""
    active = request.app[SERVER].active
    return _json({"status": "ok", "scenario": active.scenario.name, "version": __version__})


async def list_scenarios(request: web.Request) -> web.Response:
    """``GET scenarios``: the built-in scenarios."""
    return _json({"scenarios": [{"name": b.name, "description": b.description} for b in builtins()]})


async def get_scenario(request: web.Request) -> web.Response:
    """``GET scenario``: the active scenario."""
    scenario = request.app[SERVER].active.scenario
    return _json(
        {
            "name": scenario.name,
            "description": scenario.description,
            "seed": scenario.seed,
            "strict": scenario.strict,
            "rules": [rule.name or f"rules[{i}]" for i, rule in enumerate(scenario.rules)],
        }
    )


async def put_scenario(request: web.Request) -> web.Response:
    """``PUT scenario``: switch by ``{"name"}``, ``{"path"}``, ``{"scenario": {...}}`` or a YAML body."""
    state = request.app[SERVER]
    text = await request.text()
    try:
        if request.content_type in ("application/yaml", "application/x-yaml", "text/yaml", "text/plain"):
            scenario = load_text(text, "<request body>")
        else:
            try:
                body = json.loads(text)
            except ValueError:
                return _problem(400, "the body is neither JSON nor YAML (send YAML as application/yaml)")
            if not isinstance(body, dict) or len({"name", "path", "scenario"} & set(body)) != 1:
                return _problem(400, 'send one of {"name": …}, {"path": …}, {"scenario": {…}}')
            if "scenario" in body:
                if not isinstance(body["scenario"], dict):
                    return _problem(400, '"scenario" must be a mapping')
                scenario = load_scenario(body["scenario"])
            else:
                reference = body.get("name") or body.get("path")
                if not isinstance(reference, str):
                    return _problem(400, '"name" and "path" take a string')
                scenario = load_scenario(Path(reference) if "path" in body else reference)
    except ScenarioError as exc:
        return _problem(400, "the scenario is not valid", [str(p) for p in exc.problems])
    state.use_loaded(scenario)
    return _json({"status": "ok", "scenario": scenario.name})


def _int(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    return int(value) if value not in (None, "") else None


async def get_requests(request: web.Request) -> web.Response:
    """``GET requests``: the journal, filtered by ``path``, ``status``, ``since`` (an id); ``limit``."""
    try:
        entries = request.app[SERVER].journal.select(
            path=request.query.get("path") or None,
            status=_int(request, "status"),
            since=_int(request, "since"),
            limit=_int(request, "limit"),
        )
    except ValueError:
        return _problem(400, "status, since and limit take whole numbers")
    return _json({"requests": [e.to_json() for e in entries]})


async def reset(request: web.Request) -> web.Response:
    """``POST reset``: journal, counters, sequences, balances and rate-limit windows back to the start."""
    request.app[SERVER].reset()
    return _json({"status": "ok"})


async def get_state(request: web.Request) -> web.Response:
    """``GET state``: balances, rate-limit windows, counters."""
    return _json(request.app[SERVER].state())


async def post_clock(request: web.Request) -> web.Response:
    """``POST clock`` ``{"advance_s": N}``: move scenario time on (rate-limit windows)."""
    try:
        seconds = float((await request.json())["advance_s"])
    except (ValueError, KeyError, TypeError):
        return _problem(400, 'send {"advance_s": seconds}')
    clock = request.app[SERVER].clock
    clock.advance(seconds)
    return _json({"clock_s": round(clock.now(), 3)})


def routes() -> list[tuple[str, str, Handler]]:
    """The control API's routes: method, path, handler."""
    return [
        ("GET", f"{PREFIX}/health", health),
        ("GET", f"{PREFIX}/scenarios", _needs_token(list_scenarios)),
        ("GET", f"{PREFIX}/scenario", _needs_token(get_scenario)),
        ("PUT", f"{PREFIX}/scenario", _needs_token(put_scenario)),
        ("GET", f"{PREFIX}/requests", _needs_token(get_requests)),
        ("POST", f"{PREFIX}/reset", _needs_token(reset)),
        ("GET", f"{PREFIX}/state", _needs_token(get_state)),
        ("POST", f"{PREFIX}/clock", _needs_token(post_clock)),
    ]
