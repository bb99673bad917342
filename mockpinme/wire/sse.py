"""Server-sent events as OpenRouter writes them, and the timed plan of one stream."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..reply import tokens
from ..scenario.model import ChunkChars, ChunkMode, StreamProfile

KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
DONE = b"data: [DONE]\n\n"

_WORD = re.compile(r"\s*\S+|\s+$")


def event(payload: Any) -> bytes:
    """One ``data:`` event holding compact JSON."""
    return b"data: " + json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode() + b"\n\n"


def split(text: str, mode: ChunkMode | ChunkChars) -> list[str]:
    """Cut text into stream pieces; joined again they give the text back."""
    if isinstance(mode, ChunkChars):
        return [text[i : i + mode.chars] for i in range(0, len(text), mode.chars)]
    if mode == "char":
        return list(text)
    if mode == "token":
        return tokens.pieces(text)
    return _WORD.findall(text)


@dataclass(frozen=True)
class Step:
    """Wait ``wait_s`` scenario seconds, then write ``data``."""

    wait_s: float
    data: bytes


def keepalive_steps(wait_s: float, interval_s: float) -> tuple[list[Step], float]:
    """Keep-alive comments across a wait: one per interval; returns them and the wait left after."""
    steps: list[Step] = []
    while wait_s > interval_s:
        steps.append(Step(interval_s, KEEPALIVE))
        wait_s -= interval_s
    return steps, wait_s


def plan(events: list[bytes], piece_tokens: list[int], profile: StreamProfile) -> list[Step]:
    """A stream's steps: a keep-alive at once, more while the first token is awaited, then the
    events paced by ``chunk_delay_ms`` or ``tokens_per_s``. ``piece_tokens[i]`` weighs event ``i``.
    """
    steps = [Step(0.0, KEEPALIVE)]
    waiting, rest = keepalive_steps(profile.ttft_ms / 1000, profile.keepalive_ms / 1000)
    steps.extend(waiting)
    for index, data in enumerate(events):
        if index == 0:
            wait = rest
        elif profile.chunk_delay_ms is not None:
            wait = profile.chunk_delay_ms / 1000
        elif profile.tokens_per_s:
            wait = piece_tokens[index] / profile.tokens_per_s
        else:
            wait = 0.0
        steps.append(Step(wait, data))
    return steps
