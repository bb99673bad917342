"""PinMe's endpoints: ``GET /api/v1/models`` and ``POST /api/v1/chat/completions``.

One chat request, top to bottom: guard (size, JSON), PinMe's gate, the scenario's rules,
PinMe-layer outcomes, OpenRouter's validation, then an error or a reply, as JSON or a stream.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from aiohttp import web

from .catalog import QueryError, check_query
from .gate import MAX_BODY_BYTES, check_chat, check_key
from .match import first_match
from .reply import tokens
from .reply.build import template_values
from .reply.completion import Reply, completion_body, stream_payloads
from .request import ChatRequest
from .runtime import ActiveScenario, compact_json
from .scenario.model import Respond
from .state import SERVER, ServerState
from .wire import sse
from .wire.errors import CATALOGUE, RenderedError, openrouter_body, render

log = logging.getLogger("mockpinme")

JSON = "application/json"


def send_error(error: RenderedError) -> web.Response:
    """An error as JSON with its status and headers."""
    return web.Response(
        status=error.status, body=compact_json(error.body), content_type=JSON, headers=error.headers
    )


def _user_id(api_key: str) -> str:
    return "user_" + hashlib.blake2b(api_key.encode(), digest_size=14).hexdigest()[:27]


def named_error(
    active: ActiveScenario,
    name: str,
    *,
    api_key: str = "",
    values: dict[str, Any] | None = None,
    message: str | None = None,
) -> RenderedError:
    """A catalogue error rendered for this scenario's PinMe style and this caller."""
    return render(
        CATALOGUE[name],
        style=active.scenario.pinme.error_style,
        values=values or {},
        user_id=_user_id(api_key) if api_key else None,
        message=message,
    )


async def list_models(request: web.Request) -> web.Response:
    """``GET /api/v1/models``: the scenario's catalog in OpenRouter's envelope."""
    active = request.app[SERVER].active
    problem = check_key(active.scenario, request.headers.get("X-API-Key", "").strip())
    if problem:
        return send_error(named_error(active, problem))
    if not request.query:
        return web.Response(body=active.models_body, content_type=JSON)
    try:
        check_query(request.query)
    except QueryError:
        body = {"error": {"code": 400, "message": "Invalid request parameters"}}
        return web.Response(status=400, body=compact_json(body), content_type=JSON)
    return web.Response(body=compact_json(active.catalog.listing(request.query)), content_type=JSON)


async def _read_body(request: web.Request) -> bytes | None:
    """The body, or None once it passes PinMe's 1 MB limit (never buffered past it)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for data in request.content.iter_any():
        body += data
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


def _error_values(request: ChatRequest, active: ActiveScenario, respond: Respond) -> dict[str, Any]:
    model = active.model(request.model)
    last_user = request.last_text("user") or ""
    flagged = last_user if len(last_user) <= 100 else f"{last_user[:48]}...{last_user[-48:]}"
    retry_after = respond.retry_after_s if respond.retry_after_s is not None else 2
    return {
        "model": request.model,
        "provider": model.provider if model else "OpenAI",
        "flagged_input": flagged,
        "retry_after": f"{retry_after:g}",
        "key_hash": hashlib.blake2b(request.api_key.encode(), digest_size=32).hexdigest(),
    }


def _scripted_error(active: ActiveScenario, request: ChatRequest, respond: Respond) -> RenderedError | None:
    if respond.error is not None:
        return named_error(
            active,
            respond.error,
            api_key=request.api_key,
            values=_error_values(request, active, respond),
            message=respond.message,
        )
    if respond.status is not None:
        body = respond.body
        if body is None:
            message = respond.message or "Scripted error"
            body = openrouter_body(respond.status, message, None, _user_id(request.api_key))
        return RenderedError(respond.status, body, respond.headers, None)
    return None


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/chat/completions?project_name=…``."""
    server = request.app[SERVER]
    active = server.active
    raw = await _read_body(request)
    if raw is None:
        return send_error(named_error(active, "pinme.body_too_large"))
    try:
        body = json.loads(raw)
    except ValueError:
        return send_error(named_error(active, "pinme.invalid_json"))

    api_key = request.headers.get("X-API-Key", "").strip()
    project = request.query.get("project_name", "")
    problem = check_chat(active.scenario, api_key, project, active.balances)
    if problem:
        return send_error(named_error(active, problem, api_key=api_key))

    fields = body if isinstance(body, dict) else {}
    messages = fields.get("messages")
    model_id = fields.get("model", active.default_model)
    chat = ChatRequest(
        body=fields,
        model=model_id if isinstance(model_id, str) else json.dumps(model_id),
        messages=messages if isinstance(messages, list) else [],
        stream=fields.get("stream") is True,
        project=project,
        api_key=api_key,
        nth=active.next_call(),
        headers=request.headers,
        query=request.query,
    )
    found = first_match(active.scenario.rules, chat)
    respond = found.rule.respond if found else active.scenario.fallback

    scripted = _scripted_error(active, chat, respond)
    if scripted is not None and scripted.name and scripted.name.startswith("pinme."):
        return send_error(scripted)
    if not chat.messages:
        return send_error(named_error(active, "openrouter.input_required", api_key=api_key))
    model = active.model(chat.model)
    if model is None:
        values = {"model": chat.model}
        return send_error(named_error(active, "openrouter.invalid_model", api_key=api_key, values=values))
    if scripted is not None:
        return send_error(scripted)

    groups = found.groups if found else {}
    content = server.replies.content(respond, chat, active.scenario.seed, template_values(chat, groups))
    reply = server.replies.build(model, chat, content)
    active.charge(project, reply.usage["cost"])
    if chat.stream:
        profile = respond.stream or active.scenario.stream
        return await _stream(request, server, reply, profile)
    return web.Response(
        body=compact_json(completion_body(reply)),
        content_type=JSON,
        headers={"X-Generation-Id": reply.id},
    )


async def _stream(
    request: web.Request, server: ServerState, reply: Reply, profile: Any
) -> web.StreamResponse:
    pieces = sse.split(reply.content, profile.chunk)
    payloads = stream_payloads(reply, pieces)
    weights = [0, *(max(1, tokens.count(p)) for p in pieces), 0, 0]
    steps = sse.plan([sse.event(p) for p in payloads], weights, profile)
    steps.append(sse.Step(0.0, sse.DONE))
    response = web.StreamResponse(
        status=200,
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Generation-Id": reply.id,
        },
    )
    await response.prepare(request)
    clock = server.clock
    try:
        for step in steps:
            await clock.sleep(step.wait_s)
            await response.write(step.data)
        await response.write_eof()
    except (ConnectionResetError, ConnectionError):
        log.debug("client left stream %s", reply.id)
    return response
