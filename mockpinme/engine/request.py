"""A chat request as the matchers and the reply builders see it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

_UNREAD = "\0(not read yet)"
"""What ``ChatRequest._last_user`` holds until it is read (compared by identity)."""
WEB_SEARCH_TOOL_TYPES = frozenset(
    {
        "openrouter:web_search",
        "web_search",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "web_search_2025_08_26",
    }
)


def text_of(content: Any) -> str:
    """The text of a message's ``content``: a string, or the text parts of a list joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


class ChatCall(NamedTuple):
    """A chat request as it arrived: its body (None once past PinMe's limit), headers and query."""

    raw: bytes | None
    headers: Mapping[str, str]
    query: Mapping[str, str]


@dataclass(slots=True)
class ChatRequest:
    """A parsed chat-completions request, plus which call of the scenario it is (``nth``, from 1)."""

    body: Mapping[str, Any]
    model: str
    messages: list[Any]
    stream: bool
    project: str
    api_key: str
    nth: int
    seed: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    _last_user: str | None = field(default=_UNREAD, init=False, repr=False, compare=False)

    @classmethod
    def parse(
        cls,
        body: Mapping[str, Any],
        default_model: str,
        nth: int,
        seed: int,
        call: ChatCall,
        api_key: str,
        project: str,
    ) -> ChatRequest:
        """The request a JSON body makes (a body that is not an object asks for nothing)."""
        messages = body.get("messages")
        model = body.get("model", default_model)
        return cls(
            body,
            model if isinstance(model, str) else json.dumps(model),
            messages if isinstance(messages, list) else [],
            body.get("stream") is True,
            project,
            api_key,
            nth,
            seed,
            call.headers,
            call.query,
        )

    def last_text(self, role: str) -> str | None:
        """The text of the last message with ``role``, or None."""
        for message in reversed(self.messages):
            if isinstance(message, dict) and message.get("role") == role:
                return text_of(message.get("content"))
        return None

    @property
    def last_user(self) -> str | None:
        """The text of the last user message (computed once)."""
        if self._last_user is _UNREAD:
            self._last_user = self.last_text("user")
        return self._last_user

    def texts(self) -> list[str]:
        """The text of every message, in order."""
        return [text_of(m.get("content")) for m in self.messages if isinstance(m, dict)]

    @property
    def last_role(self) -> str | None:
        last = self.messages[-1] if self.messages else None
        return last.get("role") if isinstance(last, dict) else None

    @property
    def tools(self) -> list[dict[str, Any]]:
        tools = self.body.get("tools")
        return [t for t in tools if isinstance(t, dict)] if isinstance(tools, list) and tools else []

    @property
    def function_tools(self) -> list[dict[str, Any]]:
        """The ``function`` entries of the ``type: function`` tools."""
        return [
            t["function"]
            for t in self.tools
            if t.get("type") == "function"
            and isinstance(t.get("function"), dict)
            and t["function"].get("name")
        ]

    def tool_result_name(self) -> str | None:
        """If the last message is a tool result, the name of the function it answers ("" if unknown)."""
        last = self.messages[-1] if self.messages else None
        if not isinstance(last, dict) or last.get("role") != "tool":
            return None
        call_id = last.get("tool_call_id")
        for message in reversed(self.messages):
            for call in (message.get("tool_calls") or []) if isinstance(message, dict) else []:
                if isinstance(call, dict) and call.get("id") == call_id:
                    return str((call.get("function") or {}).get("name", ""))
        return str(last.get("name", ""))

    @property
    def response_format_type(self) -> str | None:
        fmt = self.body.get("response_format")
        return str(fmt.get("type")) if isinstance(fmt, dict) and fmt.get("type") else None
