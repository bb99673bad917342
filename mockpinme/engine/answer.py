"""One chat request to one outcome, in PinMe's order: its gate, then a rule's PinMe errors,
OpenRouter's validation, rate limits, a rule's OpenRouter errors, and at last the reply."""

from __future__ import annotations

from typing import NamedTuple

from ..openrouter.encode import MAX_JSON_DEPTH, parse_json
from ..openrouter.errors import RenderedError
from ..openrouter.timing import StreamProfile
from ..scenario.model import Respond
from .gate import check_chat
from .inputs import ReplyInputs
from .journal import Entry
from .prepared import Prepared
from .refusals import is_pinme, named_error, openrouter_error, scripted_error
from .reply.structured import SchemaTooLarge
from .request import ChatCall, ChatRequest
from .session import Session
from .upstream import invalid, rate_limited


class Refused(NamedTuple):
    """An error to send."""

    error: RenderedError


class Replied(NamedTuple):
    """A reply to send, as JSON or as a stream, as its answer scripts it."""

    prepared: Prepared
    respond: Respond
    stream: bool
    profile: StreamProfile


Outcome = Refused | Replied


def _refused(entry: Entry, error: RenderedError) -> Refused:
    entry.error = error.name
    return Refused(error)


def answer(session: Session, call: ChatCall, entry: Entry) -> Outcome:
    """What ``session`` answers to ``call``; what was learned goes into its journal ``entry``."""
    if call.raw is None:
        return _refused(entry, named_error(session, "pinme.body_too_large"))
    entry.body = call.raw
    too_deep = False
    try:
        body = parse_json(call.raw)
    except ValueError as exc:
        if "nested deeper" not in str(exc):
            return _refused(entry, named_error(session, "pinme.invalid_json"))
        body, too_deep = {}, True
    fields = body if isinstance(body, dict) else {}
    entry.stream = fields.get("stream") is True
    api_key, project = call.headers.get("X-API-Key", "").strip(), call.query.get("project_name", "")
    problem = check_chat(session.scenario, api_key, project, session.balances)
    if problem:
        return _refused(entry, named_error(session, problem, api_key=api_key))
    if too_deep:
        why = f"mockpinme: the request body nests deeper than {MAX_JSON_DEPTH} levels"
        return _refused(entry, openrouter_error(400, why, api_key))
    request = ChatRequest.parse(
        fields, session.default_model, session.next_call(), session.scenario.seed, call, api_key, project
    )
    entry.nth = request.nth
    found = session.rules.first_match(request)
    if found is None and session.scenario.strict:
        why = f"no rule matched this request (strict scenario); {session.rules.closest(request)}"
        return _refused(entry, openrouter_error(400, f"mockpinme: {why}", api_key))
    respond = found.respond if found else session.scenario.fallback
    entry.rule = found.label if found else "fallback"
    scripted = scripted_error(session, request, respond)
    if scripted is not None and is_pinme(scripted):
        return _refused(entry, scripted)
    model = session.model(request.model)
    refusal = invalid(session, request, model)
    if refusal is None and (limited := rate_limited(session, request)) is not None:
        entry.rule, refusal = "rate_limits", limited
    refusal = refusal or scripted
    if refusal is not None or model is None:
        return _refused(entry, refusal or named_error(session, "openrouter.invalid_model"))
    inputs = ReplyInputs.of(request, call.raw, respond, found.groups if found else {}, model)
    try:
        prepared = session.replies.get_or_build(inputs)
    except SchemaTooLarge as exc:
        return _refused(entry, openrouter_error(400, f"mockpinme: {exc}", api_key))
    if session.tracks_balance:
        session.charge(project, prepared.reply.usage.get("cost", 0.0))
        entry.balance_usd = session.balance(project)
    return Replied(prepared, respond, request.stream, respond.stream or session.scenario.stream)
