"""``POST /api/v4/send_email``: PinMe's mail service, with every accepted mail in the outbox."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from ..engine.email import send_email as answer_send_email
from ..engine.gate import MAX_BODY_BYTES
from ..engine.journal import Entry
from ..engine.services import Answer, Done, ServiceCall
from ..engine.session import Session
from .bodies import read_capped
from .journaled import session_of
from .keys import ENTRY, SERVER
from .respond import error_response, json_response


def write_answer(answer: Answer) -> web.Response:
    """A service's answer: PinMe's ``ok`` envelope, or the error with its status and headers."""
    if isinstance(answer, Done):
        return json_response(answer.body)
    return error_response(answer)


async def read_call(request: web.Request) -> ServiceCall:
    """The call with its body (None past the 1 MB limit) for a POST; no body for a GET."""
    raw = await read_capped(request, MAX_BODY_BYTES) if request.method == "POST" else b""
    return ServiceCall(raw, request.headers, request.query)


async def serve_call(
    request: web.Request, answer_of: Callable[[Session, ServiceCall, Entry], Answer]
) -> web.StreamResponse:
    """A service call: the scenario it runs under, its body read, ``answer_of`` it written."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    return write_answer(answer_of(session, await read_call(request), request[ENTRY]))


async def send_email(request: web.Request) -> web.StreamResponse:
    """``POST /api/v4/send_email`` ``{to, subject, html}`` with ``X-API-Key``."""
    runtime = request.app[SERVER].runtime
    return await serve_call(
        request, lambda session, call, entry: answer_send_email(session, runtime, call, entry)
    )
