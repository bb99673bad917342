"""What a rule's answer says outright about a reply (a recorded one says it all) replaces what the
builder decided: finish reason, usage, citations, provider, model, and text beside tool calls."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...openrouter.completion import Reply
from ...scenario.model import Respond
from ...template import fill


def recorded(respond: Respond, values: dict[str, Any], reply: Reply) -> Reply:
    """``reply`` with the answer's own ``finish_reason``, ``usage``, ``annotations``, ``provider``,
    ``model`` (each when given), and its ``content`` kept when it also calls tools."""
    changes: dict[str, Any] = {}
    if respond.finish_reason is not None:
        changes["finish_reason"] = respond.finish_reason
    if respond.usage is not None:
        changes["usage"] = respond.usage
    if respond.annotations is not None:
        changes["annotations"] = respond.annotations
    if respond.provider is not None:
        changes["provider"] = respond.provider
    if respond.model is not None:
        changes["model"] = respond.model
    if reply.tool_calls and respond.content is not None:
        changes["content"] = fill(respond.content, values)
    return replace(reply, **changes) if changes else reply
