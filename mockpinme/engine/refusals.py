"""Errors rendered for one scenario and caller: catalogue entries and a rule's scripted errors."""

from __future__ import annotations

import hashlib
from typing import Any

from ..openrouter.errors import CATALOGUE, RenderedError, openrouter_body, render
from ..scenario.model import Respond
from .request import ChatRequest
from .session import Session


def user_id(api_key: str) -> str:
    """The ``user_id`` OpenRouter puts in its errors, stable per key."""
    return (
        "user_" + hashlib.blake2b(api_key.encode("utf-8", "surrogatepass"), digest_size=14).hexdigest()[:27]
    )


def named_error(
    session: Session,
    name: str,
    *,
    api_key: str = "",
    values: dict[str, Any] | None = None,
    message: str | None = None,
) -> RenderedError:
    """A catalogue error rendered for this scenario's PinMe style and this caller."""
    return render(
        CATALOGUE[name],
        style=session.scenario.pinme.error_style,
        values=values or {},
        user_id=user_id(api_key) if api_key else None,
        message=message,
    )


def openrouter_error(status: int, message: str, api_key: str = "") -> RenderedError:
    """An OpenRouter-shaped error that is not in the catalogue (the mock's own 400s)."""
    return RenderedError(
        status, openrouter_body(status, message, None, user_id(api_key) if api_key else None), {}, None
    )


def _error_values(request: ChatRequest, session: Session, respond: Respond) -> dict[str, Any]:
    model = session.model(request.model)
    last_user = request.last_user or ""
    flagged = last_user if len(last_user) <= 100 else f"{last_user[:48]}...{last_user[-48:]}"
    retry_after = respond.retry_after_s if respond.retry_after_s is not None else 2
    return {
        "model": request.model,
        "provider": model.provider if model else "OpenAI",
        "flagged_input": flagged,
        "retry_after": f"{retry_after:g}",
        "key_hash": hashlib.blake2b(
            request.api_key.encode("utf-8", "surrogatepass"), digest_size=32
        ).hexdigest(),
        "endpoint": model.chat_endpoint or "/api/v1/embeddings" if model else "/api/v1/embeddings",
        "modality": "image",
    }


def scripted_error(session: Session, request: ChatRequest, respond: Respond) -> RenderedError | None:
    """The error a rule's answer scripts (a catalogue name or a raw status), if it scripts one."""
    if respond.error is not None:
        return named_error(
            session,
            respond.error,
            api_key=request.api_key,
            values=_error_values(request, session, respond),
            message=respond.message,
        )
    if respond.status is not None:
        body = respond.body
        if body is None:
            message = respond.message or "Scripted error"
            body = openrouter_body(respond.status, message, None, user_id(request.api_key))
        return RenderedError(respond.status, body, respond.headers, None)
    return None


def is_pinme(error: RenderedError) -> bool:
    """Does PinMe raise it (before any upstream call), as the catalogue says?"""
    return error.name is not None and CATALOGUE[error.name].layer == "pinme"
