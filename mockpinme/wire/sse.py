"""Server-sent events as OpenRouter frames them, and the chunker that cuts content into pieces."""

from __future__ import annotations

import json
import re
from typing import Any

from ..reply import tokens
from ..scenario.model import ChunkChars, ChunkMode

KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
DONE = b"data: [DONE]\n\n"

_WORD = re.compile(r"\s*\S+|\s+$")


def event(payload: Any) -> bytes:
    """One ``data:`` event holding compact JSON."""
    return b"data: " + json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode() + b"\n\n"


def malformed_event(payload: Any) -> bytes:
    """A ``data:`` event whose JSON is cut off half-way: what a broken proxy sends."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return b"data: " + text[: len(text) // 2].encode() + b"\n\n"


def split(text: str, mode: ChunkMode | ChunkChars) -> list[str]:
    """Cut text into stream pieces; joined again they give the text back."""
    if isinstance(mode, ChunkChars):
        return [text[i : i + mode.chars] for i in range(0, len(text), mode.chars)]
    if mode == "char":
        return list(text)
    if mode == "token":
        return tokens.pieces(text)
    return _WORD.findall(text)
