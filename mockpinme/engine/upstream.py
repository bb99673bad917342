"""What OpenRouter checks before it answers: the request itself, then the key's rate limits."""

from __future__ import annotations

from ..openrouter import tokens
from ..openrouter.errors import RenderedError
from . import validation
from .capabilities import unservable
from .catalog import ModelInfo
from .refusals import named_error
from .request import ChatRequest
from .session import Session


def invalid(session: Session, request: ChatRequest, model: ModelInfo | None) -> RenderedError | None:
    """OpenRouter's error for a request it cannot serve, else None: no messages, a body its schema
    refuses, an unknown model, a model that does not chat, or input the model cannot take."""
    key = request.api_key
    if not request.messages:
        return named_error(session, "openrouter.input_required", api_key=key)
    issues = validation.check(request.body)
    if issues:
        return named_error(
            session, "openrouter.invalid_request", api_key=key, message=validation.message(issues)
        )
    if model is None:
        return named_error(session, "openrouter.invalid_model", api_key=key, values={"model": request.model})
    return unservable(session, request, model)


def rate_limited(session: Session, request: ChatRequest) -> RenderedError | None:
    """OpenRouter's 429 once the key's window is full (prompt tokens counted only when limited)."""
    if not session.limiter.active:
        return None
    refusal = session.limiter.admit(
        request.api_key, lambda: tokens.prompt_tokens(request.messages, request.body.get("tools"))
    )
    if refusal is None:
        return None
    headers = refusal.headers()
    values = {"retry_after": headers["Retry-After"]}
    limited = named_error(session, "openrouter.rate_limited", api_key=request.api_key, values=values)
    return RenderedError(limited.status, limited.body, headers, limited.name)
