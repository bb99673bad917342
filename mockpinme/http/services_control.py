"""Control routes of the mail and auth services: the outbox, minted id tokens, the JWKS, and the
verification links that mails carry."""

from __future__ import annotations

import html
from typing import Any

from aiohttp import web

from ..engine.auth import TokenProblem
from ..engine.state import SCENARIO_HEADER
from ..openrouter.encode import parse_json
from ..scenario import ScenarioError
from .bodies import BodyProblem, read_capped
from .keys import SERVER
from .respond import json_response

_PAGE = "<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1><p>{text}</p>"


def _problem(status: int, message: str) -> web.Response:
    return json_response({"error": {"message": message, "code": status}}, status)


async def get_outbox(request: web.Request) -> web.Response:
    """``GET outbox``: every accepted mail, newest last (``?to=`` for one recipient's)."""
    outbox = request.app[SERVER].runtime.outbox
    return json_response({"emails": [e.to_json() for e in outbox.select(request.query.get("to"))]})


async def delete_outbox(request: web.Request) -> web.Response:
    """``DELETE outbox``: empty it."""
    return json_response({"status": "ok", "deleted": request.app[SERVER].runtime.outbox.clear()})


def _number(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise TokenProblem(f'"{name}" takes a number of seconds above 0')
    return float(value)


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise TokenProblem(f'"{name}" takes a non-empty string')
    return value


async def post_token(request: web.Request) -> web.Response:
    """``POST auth/token`` ``{"email"}`` or ``{"uid"}`` (``project``, ``expires_in_s``, ``claims``)."""
    state = request.app[SERVER]
    try:
        data = await read_capped(request, 1 << 20)
        body = parse_json(data) if data is not None else None
    except (ValueError, BodyProblem):
        body = None
    if not isinstance(body, dict):
        return _problem(400, 'send JSON: {"email": …} or {"uid": …}')
    try:
        session = state.scenarios.lookup(request.headers.get(SCENARIO_HEADER))
        claims = body.get("claims", {})
        if not isinstance(claims, dict):
            raise TokenProblem('"claims" takes a mapping')
        token, uid, project = session.auth.mint(
            state.runtime.signer,
            state.runtime.clock,
            email=_text(body, "email"),
            uid=_text(body, "uid"),
            project=_text(body, "project"),
            expires_in_s=_number(body, "expires_in_s"),
            extra=claims,
        )
    except ScenarioError as exc:
        return _problem(400, exc.problems[0].message)
    except TokenProblem as exc:
        return _problem(404 if str(exc).startswith("no user") else 400, str(exc))
    return json_response({"id_token": token, "uid": uid, "project": project})


async def get_jwks(request: web.Request) -> web.Response:
    """``GET auth/jwks.json``: the public key that signs id tokens."""
    return json_response(request.app[SERVER].runtime.signer.jwks())


async def verify_email(request: web.Request) -> web.Response:
    """``GET auth/verify-email?oob=CODE``: the link of a verification mail; marks its user verified."""
    code = request.query.get("oob", "")
    for session in request.app[SERVER].scenarios.sessions().values():
        user = session.auth.open_link(code) if code else None
        if user is not None:
            text = f"You can now sign in with your new account, {html.escape(user.email)}."
            page = _PAGE.format(title="Your email has been verified", text=text)
            return web.Response(text=page, content_type="text/html")
    text = "Your request to verify your email has expired or the link has already been used."
    page = _PAGE.format(title="Try verifying your email again", text=text)
    return web.Response(status=400, text=page, content_type="text/html")


async def get_users(request: web.Request) -> web.Response:
    """``GET auth/users``: the users of every project the active scenario has seen, by uid."""
    auth = request.app[SERVER].scenarios.active.auth
    users = [
        {**user.info(), "project": project}
        for project, directory in sorted(auth.projects.items())
        for user in directory.page(None, max(1, len(directory)))[0]
    ]
    return json_response({"users": users})


ROUTES = (
    ("GET", "/outbox", get_outbox),
    ("DELETE", "/outbox", delete_outbox),
    ("POST", "/auth/token", post_token),
    ("GET", "/auth/jwks.json", get_jwks),
    ("GET", "/auth/verify-email", verify_email),
    ("GET", "/auth/users", get_users),
)
OPEN_PATHS = ("/auth/jwks.json", "/auth/verify-email")
"""Paths that need no control token: public keys, and links a person opens from a mail."""
