"""``when.conversation``: a request carries the whole of a recorded conversation.

Messages compare by role, content and tool calls (name and arguments, JSON-equal); ids are left
out, since every answer mints its own. ``{name}`` placeholders stand for redacted texts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..scenario.model import Conversation
from .request import ChatRequest

Groups = dict[str, str]
LITERAL_NAMES = ("model", "last_user", "tool_result", "project", "nth")
"""The reply's own placeholders: a recorded reply keeps them as written."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_UNNAMED = re.compile(r"\(\?P<\w+>")


def _arguments(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def normal_message(message: Any) -> dict[str, Any]:
    """What of a message a conversation compares: role, content (``""`` as None), tool calls."""
    if not isinstance(message, Mapping):
        return {"role": None, "content": message}
    content = message.get("content")
    normal: dict[str, Any] = {"role": message.get("role"), "content": None if content == "" else content}
    calls = []
    for call in message.get("tool_calls") or []:
        if isinstance(call, Mapping):
            function = call["function"] if isinstance(call.get("function"), Mapping) else call
            calls.append({"name": function.get("name"), "arguments": _arguments(function.get("arguments"))})
    if calls:
        normal["tool_calls"] = calls
    return normal


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    names: tuple[str, ...]


class _Compiled:
    """A conversation ready to compare: messages normalized, each text with placeholders compiled."""

    def __init__(self, wanted: Conversation) -> None:
        self.wanted = wanted
        self.messages = [normal_message(m) for m in wanted.messages]
        self.templates: dict[str, _Template | None] = {}

    def template(self, text: str) -> _Template | None:
        if text not in self.templates:
            self.templates[text] = self._compile(text)
        return self.templates[text]

    def _compile(self, text: str) -> _Template | None:
        known = self.wanted.placeholders
        parts: list[str] = []
        names: list[str] = []
        last = 0
        for found in _PLACEHOLDER.finditer(text):
            name = found.group(1)
            if name not in known:
                continue
            parts.append(re.escape(text[last : found.start()]))
            pattern = _UNNAMED.sub("(?:", known[name])
            parts.append(f"(?P<g{len(names)}>(?:{pattern})|{re.escape(found.group(0))})")
            names.append(name)
            last = found.end()
        if not names:
            return None
        parts.append(re.escape(text[last:]))
        return _Template(re.compile("".join(parts), re.DOTALL), tuple(names))


_CACHE: dict[int, _Compiled] = {}
_CACHE_LIMIT = 4096


def _compiled(wanted: Conversation) -> _Compiled:
    found = _CACHE.get(id(wanted))
    if found is None or found.wanted is not wanted:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        found = _CACHE[id(wanted)] = _Compiled(wanted)
    return found


def _same(compiled: _Compiled, wanted: Any, got: Any, found: Groups) -> bool:
    if isinstance(wanted, str):
        if not isinstance(got, str):
            return False
        template = compiled.template(wanted) if "{" in wanted else None
        if template is None:
            return wanted == got
        hit = template.pattern.fullmatch(got)
        if hit is None:
            return False
        for index, name in enumerate(template.names):
            value = hit.group(f"g{index}")
            if found.setdefault(name, value) != value:
                return False
        return True
    if isinstance(wanted, Mapping):
        return (
            isinstance(got, Mapping)
            and set(wanted) == set(got)
            and all(_same(compiled, wanted[k], got[k], found) for k in wanted)
        )
    if isinstance(wanted, list | tuple):
        return (
            isinstance(got, list | tuple)
            and len(wanted) == len(got)
            and all(_same(compiled, w, g, found) for w, g in zip(wanted, got, strict=True))
        )
    if isinstance(wanted, bool) or isinstance(got, bool):
        return wanted is got
    return bool(wanted == got)


def _given(value: Any) -> Any:
    return value if value not in (None, [], {}) else None


def _extras(wanted: Conversation, request: ChatRequest) -> Iterator[tuple[str, Any, Any]]:
    yield (
        "tools",
        _given(list(wanted.tools) if wanted.tools is not None else None),
        _given(request.body.get("tools")),
    )
    yield "response_format", _given(wanted.response_format), _given(request.body.get("response_format"))


def _agreeing(compiled: _Compiled, request: ChatRequest, found: Groups) -> int:
    count = 0
    for wanted, got in zip(compiled.messages, request.messages, strict=False):
        if not _same(compiled, wanted, normal_message(got), found):
            break
        count += 1
    return count


def matches(wanted: Conversation, request: ChatRequest, _: int) -> Groups | None:
    """The placeholders' texts (and the reply's own placeholders, kept literal) when it matches."""
    compiled = _compiled(wanted)
    if len(compiled.messages) != len(request.messages):
        return None
    found: Groups = {}
    for _name, want, got in _extras(wanted, request):
        if not (want is None and got is None) and not _same(compiled, want, got, found):
            return None
    if _agreeing(compiled, request, found) != len(compiled.messages):
        return None
    return {**{name: "{" + name + "}" for name in LITERAL_NAMES}, **found}


def explain(wanted: Conversation, request: ChatRequest) -> tuple[float, str]:
    """How near a request that does not match comes (0 to below 1), and where it parts."""
    compiled = _compiled(wanted)
    agree = _agreeing(compiled, request, {})
    total = max(len(compiled.messages), len(request.messages))
    credit = 0.99 * agree / total if total else 0.0
    if agree < min(len(compiled.messages), len(request.messages)):
        role = compiled.messages[agree].get("role")
        return credit, f"message {agree + 1} ({role}) differs"
    recorded, sent = len(compiled.messages), len(request.messages)
    if recorded < sent:
        return credit, f"its {recorded} messages agree, the request has {sent}"
    if sent < recorded:
        return credit, f"the request's {sent} messages agree, it has {recorded}"
    for name, want, got in _extras(wanted, request):
        if not (want is None and got is None) and not _same(compiled, want, got, {}):
            return credit, f"{name} differ"
    return credit, "placeholders differ"
