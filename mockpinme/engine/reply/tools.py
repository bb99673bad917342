"""Function calls: scripted ones, or chosen the way a model would, with arguments that fit the schema."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from ...scenario.model import Respond
from ...template import fill_all
from ..request import ChatRequest
from .structured import SchemaValues

_COMMON = frozenset({"the", "and", "for", "with", "that", "this", "what", "your", "from", "get", "use"})


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _COMMON}


def _relevant(tools: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """The first tool whose name or description shares a word with the text, as a model would pick."""
    words = _words(text)
    for tool in tools:
        name = str(tool["name"]).replace("-", " ").replace("_", " ")
        if _words(name) & words:
            return tool
    for tool in tools:
        if _words(str(tool.get("description") or "")) & words:
            return tool
    return None


def _mentioned(tools: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return _relevant(tools, text) or tools[0]


def _chosen(request: ChatRequest) -> dict[str, Any] | None:
    tools = request.function_tools
    choice = request.body.get("tool_choice", "auto")
    if not tools or choice == "none":
        return None
    if isinstance(choice, dict):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, dict) else None
        return next((t for t in tools if t["name"] == name), None)
    if choice == "required":
        return _mentioned(tools, request.last_text("user") or "")
    if request.last_role == "user":
        return _relevant(tools, request.last_text("user") or "")
    return None


def _hints(text: str) -> dict[str, str]:
    capitalised = re.findall(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\b", text)
    place = capitalised[-1] if capitalised else "Paris"
    return {"city": place, "location": place, "place": place, "query": text, "q": text, "text": text}


def tool_calls(
    respond: Respond, request: ChatRequest, values: dict[str, Any], rng: random.Random
) -> list[tuple[str, str]]:
    """The calls a reply makes, as ``(name, arguments JSON)``; empty for a text answer.

    Scripted calls are used as given; ``auto`` calls a tool when ``tool_choice`` requires or names one,
    or when it is ``auto``, the last message is the user's and it is about a tool (its name or
    description shares a word with it); after a tool result it answers in text.
    """
    if isinstance(respond.tool_calls, tuple):
        return [
            (
                call.name,
                call.arguments
                if isinstance(call.arguments, str)
                else json.dumps(fill_all(call.arguments, values), ensure_ascii=False),
            )
            for call in respond.tool_calls
        ]
    if respond.tool_calls == "none" or respond.content is not None:
        return []
    tool = _chosen(request)
    if tool is None:
        return []
    schema = tool.get("parameters") if isinstance(tool.get("parameters"), dict) else {"type": "object"}
    arguments = SchemaValues(rng, _hints(request.last_text("user") or "")).value(schema)
    return [(str(tool["name"]), json.dumps(arguments if arguments is not None else {}, ensure_ascii=False))]
