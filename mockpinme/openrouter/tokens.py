"""An offline token estimate: text split into GPT-like pieces, no tokenizer download."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_PIECE = re.compile(r" ?[A-Za-z]{1,8}|\d{1,3}| ?[^\sA-Za-z\d]|\s+")
_IMAGE_TOKENS = 85
_MESSAGE_OVERHEAD = 4
_REPLY_PRIMING = 3


def pieces(text: str) -> list[str]:
    """The text cut into token-sized pieces; joined again they give the text back."""
    return _PIECE.findall(text)


def count(text: str) -> int:
    """How many tokens the text is estimated to take."""
    return len(_PIECE.findall(text))


def _content_tokens(content: Any) -> int:
    if isinstance(content, str):
        return count(content)
    if isinstance(content, list):
        total = 0
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                total += count(part["text"])
            elif isinstance(part, dict):
                total += _IMAGE_TOKENS
        return total
    return 0


def prompt_tokens(messages: Iterable[Any], tools: Any = None) -> int:
    """Tokens of a chat prompt: every message's content, tool calls and tool results, plus tool schemas."""
    total = _REPLY_PRIMING
    for message in messages:
        if not isinstance(message, dict):
            continue
        total += _MESSAGE_OVERHEAD + _content_tokens(message.get("content"))
        if message.get("tool_calls"):
            total += count(json.dumps(message["tool_calls"]))
        if isinstance(message.get("name"), str):
            total += count(message["name"])
    if tools:
        total += count(json.dumps(tools))
    return total
