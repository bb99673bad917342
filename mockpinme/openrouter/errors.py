"""The error catalogue: every named failure with the exact status, headers and body of the references.

``pinme.*`` errors are PinMe's own, wrapped as ``{"code", "msg", "data": {"error"}}``;
``openrouter.*`` errors are OpenRouter's, passed through as ``{"error": {...}, "user_id"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..template import fill, fill_all

Layer = Literal["pinme", "openrouter"]
PinmeStyle = Literal["seed", "template"]


@dataclass(frozen=True)
class ErrorSpec:
    """One named error: who raises it, its status, message, metadata and headers."""

    name: str
    layer: Layer
    status: int
    message: str
    metadata: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    param_error: bool = False


def _pinme(name: str, status: int, message: str, *, param_error: bool = False) -> ErrorSpec:
    return ErrorSpec(f"pinme.{name}", "pinme", status, message, param_error=param_error)


def _openrouter(
    name: str,
    status: int,
    message: str,
    metadata: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ErrorSpec:
    return ErrorSpec(f"openrouter.{name}", "openrouter", status, message, metadata, headers or {})


_PROVIDER_RAW = json.dumps(
    {
        "error": {
            "message": "The server had an error while processing your request.",
            "type": "server_error",
        }
    },
    indent=2,
)

CATALOGUE: dict[str, ErrorSpec] = {
    spec.name: spec
    for spec in (
        _pinme("missing_key", 401, "X-API-Key header is required"),
        _pinme("invalid_key", 401, "Invalid API key"),
        _pinme("key_project_mismatch", 401, "Invalid API key or project name"),
        _pinme("project_name_missing", 400, "project_name is required", param_error=True),
        _pinme("invalid_json", 400, "Invalid JSON", param_error=True),
        _pinme("llm_not_configured", 400, "LLM service not configured for this project"),
        _pinme(
            "insufficient_balance",
            403,
            "Insufficient balance, please recharge to continue using LLM service",
        ),
        _pinme("llm_disabled", 403, "LLM service is disabled for this project"),
        _pinme("body_too_large", 413, "Request body too large (max 1MB)"),
        _pinme("proxy_failed", 500, "Failed to build request"),
        _pinme("llm_unavailable", 502, "LLM service unavailable"),
        _pinme("email_invalid_address", 400, "Invalid email address", param_error=True),
        _pinme("email_subject_required", 400, "Subject is required", param_error=True),
        _pinme("email_html_required", 400, "HTML content is required", param_error=True),
        _pinme("email_failed", 500, "Failed to send email"),
        _pinme("auth_not_configured", 400, "Auth service not configured for this project"),
        _pinme("auth_email_password_required", 400, "email and password are required", param_error=True),
        _pinme("auth_create_failed", 502, "Failed to create user"),
        _pinme("auth_verification_email_failed", 500, "Failed to send verification email. Please try again."),
        _pinme("auth_id_token_required", 400, "id_token is required", param_error=True),
        _pinme("auth_invalid_token", 401, "Invalid or expired token"),
        _pinme(
            "auth_email_not_verified",
            403,
            "Email not verified. Please check your inbox and verify your email address.",
        ),
        _pinme("auth_uid_required", 400, "uid is required", param_error=True),
        _pinme("auth_user_not_found", 404, "User not found"),
        _pinme("auth_get_user_failed", 502, "Failed to get user"),
        _openrouter("invalid_model", 400, "{model} is not a valid model ID"),
        _openrouter("input_required", 400, 'Input required: specify "prompt" or "messages"'),
        _openrouter("invalid_request", 400, "Invalid request"),
        _openrouter(
            "not_chat_model",
            400,
            "{model} does not support chat completions: use {endpoint}",
            {"error_type": "invalid_request"},
        ),
        _openrouter("no_auth", 401, "No auth credentials found"),
        _openrouter("user_not_found", 401, "User not found."),
        _openrouter(
            "insufficient_credits",
            402,
            "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
            {"error_type": "payment_required", "provider_name": None, "limit_source": "openrouter_credits"},
        ),
        _openrouter(
            "insufficient_credits_max_tokens",
            402,
            "This request requires more credits, or fewer max_tokens. You requested up to 16384 tokens,"
            " but can only afford 3324. To increase, visit https://openrouter.ai/settings/credits"
            " and add more credits",
            {"provider_name": None, "limit_source": "openrouter_credits"},
        ),
        _openrouter(
            "moderation",
            403,
            '{model} requires moderation on {provider}. Your input was flagged for "violence".'
            " No credits were charged.",
            {
                "reasons": ["violence"],
                "flagged_input": "{flagged_input}",
                "provider_name": "{provider}",
                "model_slug": "{model}",
            },
        ),
        _openrouter(
            "key_limit",
            403,
            "Key limit exceeded (daily limit). Manage it using"
            " https://openrouter.ai/workspaces/default/keys/{key_hash}",
        ),
        _openrouter(
            "no_endpoints",
            404,
            "No endpoints found matching your data policy (Free model publication)."
            " Configure: https://openrouter.ai/settings/privacy",
        ),
        _openrouter("unsupported_input", 404, "No endpoints found that support {modality} input"),
        _openrouter(
            "no_tool_endpoints",
            404,
            "No endpoints found that support tool use. To learn more about provider routing, visit:"
            " https://openrouter.ai/docs/provider-routing",
        ),
        _openrouter("timeout", 408, "Operation timed out. Please try again later."),
        _openrouter("payload_too_large", 413, "Request payload too large"),
        _openrouter(
            "rate_limited",
            429,
            "Rate limit exceeded",
            {"error_type": "rate_limit_exceeded"},
            {"Retry-After": "{retry_after}"},
        ),
        _openrouter(
            "upstream_rate_limited",
            429,
            "Provider returned error",
            {
                "raw": "{model} is temporarily rate-limited upstream. Please retry shortly, or add your own"
                " key to accumulate your rate limits: https://openrouter.ai/settings/integrations",
                "provider_name": "{provider}",
                "is_byok": False,
                "error_type": "rate_limit_exceeded",
            },
            {"Retry-After": "{retry_after}"},
        ),
        _openrouter("internal", 500, "Internal Server Error", {"error_type": "server"}),
        _openrouter(
            "provider_error",
            502,
            "Provider returned error",
            {"raw": _PROVIDER_RAW, "provider_name": "{provider}", "is_byok": False},
        ),
        _openrouter(
            "no_provider",
            503,
            "Service temporarily unavailable",
            None,
            {"Retry-After": "{retry_after}"},
        ),
        _openrouter("edge_timeout", 524, "Request timed out. Please try again later."),
        _openrouter(
            "overloaded",
            529,
            "Provider returned error",
            {"raw": "Overloaded", "provider_name": "{provider}", "is_byok": False},
        ),
    )
}

ERROR_NAMES = frozenset(CATALOGUE)
PINME_ERROR_NAMES = frozenset(n for n, spec in CATALOGUE.items() if spec.layer == "pinme")


def pinme_wrapped(code: int, msg: str, text: str) -> dict[str, Any]:
    """PinMe's wrapped envelope: ``{"code", "msg", "data": {"error"}}``."""
    return {"code": code, "msg": msg, "data": {"error": text}}


def pinme_body(spec: ErrorSpec, style: PinmeStyle, message: str | None = None) -> dict[str, Any]:
    """PinMe's wrapped error body, in the seed guide's style or the worker template's."""
    text = message if message is not None else spec.message
    if style == "seed":
        code, msg = spec.status, "invalid params" if spec.param_error else "error"
    elif spec.param_error:
        code, msg = 400, "invalid param"
    else:
        code, msg = (500 if spec.status in (401, 413) else spec.status), "fail"
    return pinme_wrapped(code, msg, text)


def openrouter_body(
    status: int, message: str, metadata: Mapping[str, Any] | None, user_id: str | None
) -> dict[str, Any]:
    """OpenRouter's error envelope: ``message`` before ``code``, then ``metadata`` and ``user_id``."""
    error: dict[str, Any] = {"message": message, "code": status}
    if metadata is not None:
        error["metadata"] = dict(metadata)
    body: dict[str, Any] = {"error": error}
    if user_id is not None:
        body["user_id"] = user_id
    return body


@dataclass(frozen=True)
class RenderedError:
    """An error ready to send."""

    status: int
    body: Any
    headers: Mapping[str, str]
    name: str | None


def render(
    spec: ErrorSpec,
    *,
    style: PinmeStyle,
    values: Mapping[str, Any],
    user_id: str | None,
    message: str | None = None,
) -> RenderedError:
    """Fill a catalogue entry's placeholders from ``values`` and build its status, headers and body."""
    headers = {k: fill(v, values) for k, v in spec.headers.items()}
    if spec.layer == "pinme":
        return RenderedError(spec.status, pinme_body(spec, style, message), headers, spec.name)
    text = fill(message if message is not None else spec.message, values)
    metadata = fill_all(spec.metadata, values) if spec.metadata is not None else None
    return RenderedError(
        spec.status, openrouter_body(spec.status, text, metadata, user_id), headers, spec.name
    )
