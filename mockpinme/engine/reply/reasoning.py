"""Reasoning: whether a request asks for it, and how its details are labelled per provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_FORMATS = {
    "anthropic": "anthropic-claude-v1",
    "openai": "openai-responses-v1",
    "google": "google-gemini-v1",
    "x-ai": "xai-responses-v1",
}


def asked(body: Mapping[str, Any]) -> tuple[bool, bool]:
    """``(wanted, excluded)``: is reasoning asked for, and is its text to be left out (still billed)?"""
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict):
        off = reasoning.get("enabled") is False or reasoning.get("effort") == "none"
        return (not off, bool(reasoning.get("exclude")))
    effort = body.get("reasoning_effort")
    if isinstance(effort, str):
        return (effort != "none", False)
    if body.get("include_reasoning") is True:
        return (True, False)
    return (False, False)


def detail_format(model_id: str) -> str:
    """The ``format`` of ``reasoning_details`` entries for the model's provider."""
    return _FORMATS.get(model_id.split("/", 1)[0], "unknown")
