"""``reasoning_details`` in each provider family's format, whole (JSON) or piece by piece (SSE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .providers import ReasoningStyle


@dataclass(frozen=True)
class ReasoningOut:
    """A reply's reasoning: the text shown (None when hidden), and the opaque parts its family adds.

    ``signature`` closes Anthropic's and Google's text; ``encrypted`` is ``(id, data)`` of OpenAI's
    Responses item (id may be empty, as xAI's carry none).
    """

    style: ReasoningStyle
    format: str | None
    text: str | None
    signature: str | None = None
    encrypted: tuple[str, str] | None = None


def _text(reasoning: ReasoningOut, text: str) -> dict[str, Any]:
    if reasoning.style == "summary":
        return {"type": "reasoning.summary", "summary": text, "format": reasoning.format, "index": 0}
    return {"type": "reasoning.text", "text": text, "format": reasoning.format, "index": 0}


def _closing(reasoning: ReasoningOut, index: int) -> dict[str, Any] | None:
    if reasoning.encrypted is not None:
        item, data = reasoning.encrypted
        found: dict[str, Any] = {"type": "reasoning.encrypted", "data": data}
        if item:
            found["id"] = item
        return {**found, "format": reasoning.format, "index": index}
    if reasoning.signature is not None:
        return {
            "type": "reasoning.text",
            "signature": reasoning.signature,
            "format": reasoning.format,
            "index": 0,
        }
    return None


def details(reasoning: ReasoningOut) -> list[dict[str, Any]]:
    """The whole ``reasoning_details`` of a non-streaming message."""
    if reasoning.style == "signed" and reasoning.signature is not None:
        entry: dict[str, Any] = {"type": "reasoning.text"}
        if reasoning.text is not None:
            entry["text"] = reasoning.text
        return [{**entry, "signature": reasoning.signature, "format": reasoning.format, "index": 0}]
    found = [_text(reasoning, reasoning.text)] if reasoning.text is not None else []
    closing = _closing(reasoning, len(found))
    return [*found, closing] if closing is not None else found


def piece(reasoning: ReasoningOut, text: str) -> list[dict[str, Any]]:
    """The ``reasoning_details`` of one streamed piece of the text."""
    return [_text(reasoning, text)]


def closing_piece(reasoning: ReasoningOut) -> list[dict[str, Any]] | None:
    """The detail streamed on its own after the text (a signature, an encrypted item), if any."""
    closing = _closing(reasoning, 1 if reasoning.text and reasoning.style == "summary" else 0)
    return [closing] if closing is not None else None
