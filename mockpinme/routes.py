"""PinMe's endpoints: ``GET /api/v1/models`` and ``POST /api/v1/chat/completions``.

One chat request, top to bottom: guard (size, JSON), PinMe's gate, the scenario's rules,
PinMe-layer outcomes, OpenRouter's validation, then an error or a reply, as JSON or a stream.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from typing import Any

from aiohttp import web

from .catalog import ModelInfo, QueryError, check_query
from .gate import MAX_BODY_BYTES, check_chat, check_key
from .guard import entry_of, note
from .match import Match
from .prepared import CREATED_MARK, ID_MARK, Prepared, Stamp, call_mark
from .reply import tokens
from .reply.build import Marks, template_values
from .reply.text import request_seed
from .request import ChatRequest
from .runtime import ActiveScenario
from .scenario import ScenarioError
from .scenario.model import Respond
from .state import SCENARIO_HEADER, SERVER, ServerState
from .wire import stream
from .wire.encode import compact_json
from .wire.errors import CATALOGUE, RenderedError, openrouter_body, render
from .wire.pace import sample_ms

log = logging.getLogger("mockpinme")

JSON = "application/json"


def send_error(request: web.Request, error: RenderedError) -> web.Response:
    """An error as JSON with its status and headers; the journal notes its name."""
    note(request, error=error.name)
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


def _scenario(request: web.Request) -> ActiveScenario | web.Response:
    """The scenario this request runs under: the one its header names, else the server's."""
    try:
        return request.app[SERVER].scenario_for(request.headers.get(SCENARIO_HEADER))
    except ScenarioError as exc:
        body = openrouter_body(400, f"mockpinme: {SCENARIO_HEADER}: {exc.problems[0].message}", None, None)
        return web.Response(status=400, body=compact_json(body), content_type=JSON)


async def list_models(request: web.Request) -> web.Response:
    """``GET /api/v1/models``: the scenario's catalog in OpenRouter's envelope."""
    active = _scenario(request)
    if isinstance(active, web.Response):
        return active
    problem = check_key(active.scenario, request.headers.get("X-API-Key", "").strip())
    if problem:
        return send_error(request, named_error(active, problem))
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
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        return None
    if request.content.is_eof():
        whole = request.content.read_nowait()
        return whole if len(whole) <= MAX_BODY_BYTES else None
    if length is not None:
        return await request.read()
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
    active = _scenario(request)
    if isinstance(active, web.Response):
        return active
    raw = await _read_body(request)
    if raw is None:
        return send_error(request, named_error(active, "pinme.body_too_large"))
    entry = entry_of(request)
    if entry is not None:
        entry.body = raw
    try:
        body = json.loads(raw)
    except ValueError:
        return send_error(request, named_error(active, "pinme.invalid_json"))
    if entry is not None:
        entry.stream = isinstance(body, dict) and body.get("stream") is True

    api_key = request.headers.get("X-API-Key", "").strip()
    project = request.query.get("project_name", "")
    problem = check_chat(active.scenario, api_key, project, active.balances)
    if problem:
        return send_error(request, named_error(active, problem, api_key=api_key))

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
        seed=active.scenario.seed,
        headers=request.headers,
        query=request.query,
    )
    found = active.rules.first_match(chat)
    if found is None and active.scenario.strict:
        message = f"mockpinme: no rule matched this request (strict scenario); {active.rules.closest(chat)}"
        return send_error(
            request, RenderedError(400, openrouter_body(400, message, None, _user_id(api_key)), {}, None)
        )
    respond = found.respond if found else active.scenario.fallback
    if entry is not None:
        entry.rule = found.label if found else "fallback"

    scripted = _scripted_error(active, chat, respond)
    if scripted is not None and scripted.name and scripted.name.startswith("pinme."):
        return send_error(request, scripted)
    if not chat.messages:
        return send_error(request, named_error(active, "openrouter.input_required", api_key=api_key))
    model = active.model(chat.model)
    if model is None:
        values = {"model": chat.model}
        return send_error(
            request, named_error(active, "openrouter.invalid_model", api_key=api_key, values=values)
        )
    if active.limiter.active:
        limited = _rate_limited(active, chat)
        if limited is not None:
            return send_error(request, limited)
    if scripted is not None:
        return send_error(request, scripted)

    key = (
        id(respond),
        raw,
        project,
        found.key if found else (),
        chat.nth if id(respond) in active.uses_nth else 0,
    )
    prepared = active.prepared.get(key) or active.prepared.put(
        key, _prepare(server, active, chat, model, respond, found)
    )
    if active.tracks_balance:
        active.charge(project, prepared.reply.usage["cost"])
        if entry is not None:
            entry.balance_usd = active.balance(project)
    stamp = Stamp(server.ids, len(prepared.reply.tool_calls))
    if chat.stream:
        profile = respond.stream or active.scenario.stream
        return await _stream(request, server, prepared.steps(profile, respond.fault), stamp)
    return await _json_reply(request, server, prepared, respond, stamp)


def _rate_limited(active: ActiveScenario, chat: ChatRequest) -> RenderedError | None:
    """OpenRouter's 429 once the key's window is full (prompt tokens counted only when limited)."""
    refusal = active.limiter.admit(
        chat.api_key, lambda: tokens.prompt_tokens(chat.messages, chat.body.get("tools"))
    )
    if refusal is None:
        return None
    headers = refusal.headers()
    values = {"retry_after": headers["Retry-After"]}
    limited = named_error(active, "openrouter.rate_limited", api_key=chat.api_key, values=values)
    return RenderedError(limited.status, limited.body, headers, limited.name)


def _prepare(
    server: ServerState,
    active: ActiveScenario,
    chat: ChatRequest,
    model: ModelInfo,
    respond: Respond,
    found: Match | None,
) -> Prepared:
    seed = request_seed(active.scenario.seed, chat.model, chat.messages)
    values = template_values(chat, found.groups if found else {})
    marks = Marks(ID_MARK, CREATED_MARK, call_mark)
    fault = respond.fault
    cut = fault.after_chunks if fault and fault.stream_error and not chat.stream else None
    return Prepared(server.replies.build(model, chat, respond, seed, values, marks, cut), seed)


async def _json_reply(
    request: web.Request, server: ServerState, prepared: Prepared, respond: Respond, stamp: Stamp
) -> web.StreamResponse:
    if respond.latency_ms is not None:
        await server.clock.sleep(sample_ms(respond.latency_ms, random.Random(prepared.seed)) / 1000)
    fault = respond.fault
    if fault is not None and (fault.disconnect or fault.stall):
        if fault.stall:
            await server.clock.hold(fault.stall_limit_s)
        stream.reset(request)
        return web.Response(status=204)
    body = stamp(prepared.json_body(fault))
    if fault is not None and fault.stream_error is None:
        body = body[: len(body) // 2]
    return web.Response(body=body, headers={"Content-Type": JSON, "X-Generation-Id": stamp.generation_id})


async def _stream(
    request: web.Request, server: ServerState, steps: list[stream.Step], stamp: Stamp
) -> web.StreamResponse:
    response = web.StreamResponse(
        status=200,
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Generation-Id": stamp.generation_id,
        },
    )
    await response.prepare(request)
    note(request, status=200)
    played = entry_of(request) or stream.Played()
    try:
        await stream.play(request, response, steps, server.clock, played, stamp)
    finally:
        if played.cancelled:
            log.debug("client left stream %s after %d chunks", stamp.generation_id, played.chunks_sent)
    return response


ROUTES = [
    ("GET", "/api/v1/models", list_models),
    ("POST", "/api/v1/chat/completions", chat_completions),
]
