"""A chat request as the matchers and the reply builders see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def text_of(content: Any) -> str:
    """The text of a message's ``content``: a string, or the text parts of a list joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


@dataclass(frozen=True)
class ChatRequest:
    """A parsed chat-completions request, plus which call of the scenario it is (``nth``, from 1)."""

    body: Mapping[str, Any]
    model: str
    messages: list[Any]
    stream: bool
    project: str
    api_key: str
    nth: int
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)

    def last_text(self, role: str) -> str | None:
        """The text of the last message with ``role``, or None."""
        for message in reversed(self.messages):
            if isinstance(message, dict) and message.get("role") == role:
                return text_of(message.get("content"))
        return None
