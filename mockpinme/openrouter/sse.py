"""Server-sent events as OpenRouter frames them, and the chunker that cuts content into pieces."""

from __future__ import annotations

import re
from typing import Any

from . import tokens
from .encode import Encoded, encode
from .timing import ChunkChars, ChunkMode

KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
DONE = b"data: [DONE]\n\n"

_WORD = re.compile(r"\s*\S+|\s+$")


_DATA, _END = Encoded(b"data: "), Encoded(b"\n\n")


def event(payload: Any) -> Encoded:
    """One ``data:`` event holding compact JSON, with slots where the ids go."""
    return _DATA + encode(payload) + _END


def malformed_event(payload: Any) -> Encoded:
    """A ``data:`` event whose JSON is cut off half-way: what a broken proxy sends."""
    body = encode(payload)
    half = body.split_at([len(body.data) // 2])[0]
    return _DATA + half + _END


def split(text: str, mode: ChunkMode | ChunkChars) -> list[str]:
    """Cut text into stream pieces; joined again they give the text back."""
    if isinstance(mode, ChunkChars):
        return [text[i : i + mode.chars] for i in range(0, len(text), mode.chars)]
    if mode == "char":
        return list(text)
    if mode == "token":
        return tokens.pieces(text)
    return _WORD.findall(text)
