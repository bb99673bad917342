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

from .catalog import QueryError, check_query
from .gate import MAX_BODY_BYTES, check_chat, check_key
from .middleware import entry_of, note
from .reply import tokens
from .reply.build import template_values
from .reply.completion import Reply, completion_body, errored_body
from .reply.text import request_seed
from .request import ChatRequest
from .runtime import ActiveScenario, compact_json
from .scenario import ScenarioError
from .scenario.model import Fault, Respond, StreamProfile
from .state import SERVER, ServerState
from .wire import sse, stream
from .wire.errors import CATALOGUE, RenderedError, openrouter_body, render
from .wire.pace import Pacer, sample_ms

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


SCENARIO_HEADER = "X-Mockpinme-Scenario"


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
    active = _scenario(request)
    if isinstance(active, web.Response):
        return active
    raw = await _read_body(request)
    if raw is None:
        return send_error(request, named_error(active, "pinme.body_too_large"))
    try:
        body = json.loads(raw)
    except ValueError:
        return send_error(request, named_error(active, "pinme.invalid_json"))
    note(request, json=body, stream=isinstance(body, dict) and body.get("stream") is True)

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
    note(request, rule=found.label if found else "fallback")

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
    refusal = active.limiter.admit(api_key, tokens.prompt_tokens(chat.messages, fields.get("tools")))
    if refusal is not None:
        values = {"retry_after": refusal.headers()["Retry-After"]}
        limited = named_error(active, "openrouter.rate_limited", api_key=api_key, values=values)
        return send_error(
            request, RenderedError(limited.status, limited.body, refusal.headers(), limited.name)
        )
    if scripted is not None:
        return send_error(request, scripted)

    values = template_values(chat, found.groups if found else {})
    reply = server.replies.build(model, chat, respond, active.scenario.seed, values)
    active.charge(project, reply.usage["cost"])
    rng = random.Random(request_seed(active.scenario.seed, chat.model, chat.messages))
    if chat.stream:
        return await _stream(
            request, server, reply, respond.stream or active.scenario.stream, respond.fault, rng
        )
    return await _json_reply(request, server, reply, respond, rng)


async def _json_reply(
    request: web.Request, server: ServerState, reply: Reply, respond: Respond, rng: random.Random
) -> web.StreamResponse:
    if respond.latency_ms is not None:
        await server.clock.sleep(sample_ms(respond.latency_ms, rng) / 1000)
    fault = respond.fault
    headers = {"X-Generation-Id": reply.id}
    if fault is None:
        return web.Response(body=compact_json(completion_body(reply)), content_type=JSON, headers=headers)
    if fault.disconnect or fault.stall:
        if fault.stall:
            await server.clock.hold(fault.stall_limit_s)
        stream.reset(request)
        return web.Response(status=204)
    if fault.stream_error is not None:
        e = fault.stream_error
        partial = "".join(sse.split(reply.content or "", "word")[: fault.after_chunks])
        body = compact_json(errored_body(reply, partial, e.code, e.message, e.error_type))
        return web.Response(body=body, content_type=JSON, headers=headers)
    whole = compact_json(completion_body(reply))
    return web.Response(body=whole[: len(whole) // 2], content_type=JSON, headers=headers)


async def _stream(
    request: web.Request,
    server: ServerState,
    reply: Reply,
    profile: StreamProfile,
    fault: Fault | None,
    rng: random.Random,
) -> web.StreamResponse:
    events = stream.stream_events(reply, profile.chunk, fault)
    pacer = Pacer(profile, rng)
    searching = pacer.searching() if reply.searches else 0.0
    steps = stream.apply_wire(stream.build_plan(events, pacer, fault, searching), profile.wire)
    response = web.StreamResponse(
        status=200,
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Generation-Id": reply.id,
        },
    )
    await response.prepare(request)
    played = entry_of(request) or stream.Played()
    try:
        await stream.play(request, response, steps, server.clock, played)
    finally:
        if played.cancelled:
            log.debug("client left stream %s after %d chunks", reply.id, played.chunks_sent)
    return response
