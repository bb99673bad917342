"""``POST /api/v1/chat/completions?project_name=…``: read, answer, write."""

from __future__ import annotations

from aiohttp import web

from ..engine.answer import answer
from ..engine.gate import MAX_BODY_BYTES
from ..engine.request import ChatCall
from .bodies import BodyProblem, read_capped
from .fallback import pinme_error
from .journaled import session_of
from .keys import ENTRY, SERVER
from .respond import write


async def read_body(request: web.Request) -> bytes | None:
    """The body, or None once it passes PinMe's 1 MB limit (never buffered past it); raises
    BodyProblem for a compressed body or one that does not arrive in time."""
    return await read_capped(request, MAX_BODY_BYTES)


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/chat/completions?project_name=…``."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    try:
        raw = await read_body(request)
    except BodyProblem as problem:
        request[ENTRY].error = f"http.{problem.status}"
        return pinme_error(problem.status, problem.message)
    call = ChatCall(raw, request.headers, request.query)
    outcome = answer(session, call, request[ENTRY])
    runtime = request.app[SERVER].runtime
    return await write(request, outcome, runtime.clock, runtime.ids)
