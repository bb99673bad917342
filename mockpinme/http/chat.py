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


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/chat/completions?project_name=…``: the body (never buffered past PinMe's
    1 MB), its answer, and the answer written."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    entry = request[ENTRY]
    try:
        raw = await read_capped(request, MAX_BODY_BYTES)
    except BodyProblem as problem:
        entry.error = f"http.{problem.status}"
        return pinme_error(problem.status, problem.message)
    outcome = answer(session, ChatCall(raw, request.headers, request.query), entry)
    runtime = request.app[SERVER].runtime
    return await write(request, outcome, runtime.clock, runtime.ids, entry)
