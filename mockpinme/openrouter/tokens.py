"""An offline token estimate: text split into GPT-like pieces, no tokenizer download."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
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


def _payload_bytes(value: Any) -> int:
    """The decoded size of a base64 payload or data URL (a plain URL counts as nothing)."""
    if not isinstance(value, str):
        return 0
    if value.startswith("data:"):
        value = value.partition(",")[2]
    elif value.startswith(("http://", "https://")):
        return 0
    return len(value) * 3 // 4


def part_tokens(part: Any) -> tuple[str, int]:
    """The kind and token estimate of one content part: text as text; an image 85 tokens (``low``
    detail) or 765; audio ~1 token per KB (32 tokens a second of 16-bit 16 kHz); a video 1290 (a
    few seconds); a file 258 per ~3 KB page, at least one page."""
    if not isinstance(part, dict):
        return "text", 0
    kind = part.get("type")
    body = part.get(kind) if isinstance(kind, str) else None
    body = body if isinstance(body, dict) else {}
    if kind == "text":
        return "text", count(part["text"]) if isinstance(part.get("text"), str) else 0
    if kind == "image_url":
        return "image", _IMAGE_TOKENS if body.get("detail") == "low" else _IMAGE_TOKENS * 9
    if kind == "input_audio":
        return "audio", max(1, _payload_bytes(body.get("data")) // 1000)
    if kind == "video_url":
        return "video", 1290
    if kind == "file":
        size = _payload_bytes(body.get("file_data")) or _payload_bytes(body.get("file_url"))
        return "file", 258 * max(1, size // 3000)
    return "text", _IMAGE_TOKENS


def _content_tokens(content: Any, by_kind: dict[str, int]) -> int:
    if isinstance(content, str):
        return count(content)
    total = 0
    for part in content if isinstance(content, list) else []:
        kind, found = part_tokens(part)
        by_kind[kind] = by_kind.get(kind, 0) + found
        total += found
    return total


@dataclass(frozen=True)
class PromptUsage:
    """Prompt tokens in all, and the audio and video ones among them."""

    total: int
    audio: int = 0
    video: int = 0


def prompt_usage(messages: Iterable[Any], tools: Any = None) -> PromptUsage:
    """Tokens of a chat prompt: every message's content (media parts included), tool calls and tool
    results, plus tool schemas."""
    total = _REPLY_PRIMING
    by_kind: dict[str, int] = {}
    for message in messages:
        if not isinstance(message, dict):
            continue
        total += _MESSAGE_OVERHEAD + _content_tokens(message.get("content"), by_kind)
        if message.get("tool_calls"):
            total += count(json.dumps(message["tool_calls"]))
        if isinstance(message.get("name"), str):
            total += count(message["name"])
    if tools:
        total += count(json.dumps(tools))
    return PromptUsage(total, by_kind.get("audio", 0), by_kind.get("video", 0))


def prompt_tokens(messages: Iterable[Any], tools: Any = None) -> int:
    """Tokens of a chat prompt (see :func:`prompt_usage`)."""
    return prompt_usage(messages, tools).total
