"""One recorded chat exchange, and the scenario answer (``respond``) that replays it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from .profile import latency_ms, stream_profile

Ending = Literal["done", "eof", "reset", "abandoned"]
KEPT_HEADERS = ("retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


@dataclass(frozen=True)
class Event:
    """One SSE event as it arrived, ``at`` seconds after the request went upstream."""

    at: float
    comment: bool
    data: str = ""


@dataclass
class Exchange:
    """A chat call and what the upstream answered: a JSON body, or the stream's events."""

    request: dict[str, Any]
    status: int
    headers: dict[str, str]
    body: bytes = b""
    elapsed_s: float = 0.0
    events: list[Event] = field(default_factory=list)
    ending: Ending = "done"

    @property
    def streamed(self) -> bool:
        return bool(self.events) or self.ending != "done"


def _words(text: str) -> int:
    return len(re.findall(r"\s*\S+", text))


def _error_answer(exchange: Exchange) -> dict[str, Any]:
    try:
        body: Any = json.loads(exchange.body)
    except ValueError:
        body = exchange.body.decode("utf-8", "replace")
    headers = {k: v for k, v in exchange.headers.items() if k.lower() in KEPT_HEADERS}
    answer: dict[str, Any] = {"status": exchange.status, "body": body}
    if headers:
        answer["headers"] = headers
    return answer


def _tool_calls(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    functions = [c["function"] if isinstance(c.get("function"), dict) else c for c in calls]
    return [
        {"name": str(f["name"]), "arguments": f.get("arguments") or ""} for f in functions if f.get("name")
    ]


def _finish(answer: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    """The answer's keys in the order people read them; empty ones left out."""
    for key in ("finish_reason", "usage", "provider", "model"):
        if reply.get(key) is not None:
            answer[key] = reply[key]
    return answer


def _message_answer(reply: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    calls = _tool_calls(reply.get("tool_calls") or [])
    content = reply.get("content")
    if content is not None or not calls:
        answer["content"] = content or ""
    answer["tool_calls"] = calls or "none"
    if reply.get("reasoning"):
        answer["reasoning"] = reply["reasoning"]
    if reply.get("annotations"):
        answer["annotations"] = reply["annotations"]
    return _finish(answer, reply)


def _json_answer(exchange: Exchange) -> dict[str, Any]:
    body = json.loads(exchange.body)
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    reply = {**message, **{k: body.get(k) for k in ("usage", "provider", "model")}}
    reply["finish_reason"] = choice.get("finish_reason")
    answer = _message_answer(reply)
    error = choice.get("error")
    if isinstance(error, dict):
        answer.pop("finish_reason", None)
        answer["fault"] = _stream_error(error, _words(answer.get("content") or ""), True)
    answer["latency_ms"] = latency_ms(exchange.elapsed_s)
    return answer


def _stream_error(error: dict[str, Any], after: int, done: bool) -> dict[str, Any]:
    metadata = error["metadata"] if isinstance(error.get("metadata"), dict) else {}
    code = error.get("code")
    return {
        "after_chunks": after,
        "stream_error": {
            "code": code if isinstance(code, int) and 400 <= code <= 599 else 502,
            "message": str(error.get("message") or ""),
            "error_type": str(metadata.get("error_type") or "provider_unavailable"),
            "done": done,
        },
    }


@dataclass
class _Stream:
    content: str = ""
    reasoning: str = ""
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    annotations: list[Any] = field(default_factory=list)
    reply: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    done_after_error: bool = False
    done: bool = False

    def take(self, chunk: dict[str, Any]) -> None:
        for key in ("provider", "model", "usage"):
            if chunk.get(key) is not None:
                self.reply[key] = chunk[key]
        if isinstance(chunk.get("error"), dict):
            self.error = chunk["error"]
            return
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            self.content += delta.get("content") or ""
            self.reasoning += delta.get("reasoning") or ""
            self.annotations += delta.get("annotations") or []
            for call in delta.get("tool_calls") or []:
                slot = self.calls.setdefault(int(call.get("index", len(self.calls))), {"arguments": ""})
                function = call.get("function") or {}
                slot["name"] = function.get("name") or slot.get("name")
                slot["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                self.reply["finish_reason"] = choice["finish_reason"]


def _stream_answer(exchange: Exchange) -> dict[str, Any]:
    stream = _Stream()
    for event in exchange.events:
        if event.comment:
            continue
        if event.data.strip() == "[DONE]":
            stream.done = True
            continue
        try:
            chunk = json.loads(event.data)
        except ValueError:
            continue
        if isinstance(chunk, dict):
            stream.take(chunk)
    reply = {
        **stream.reply,
        "content": stream.content if stream.content or not stream.calls else None,
        "reasoning": stream.reasoning or None,
        "tool_calls": [stream.calls[i] for i in sorted(stream.calls)],
        "annotations": stream.annotations or None,
    }
    answer = _message_answer(reply)
    after = _words(stream.content)
    if stream.error is not None:
        answer.pop("finish_reason", None)
        answer["fault"] = _stream_error(stream.error, after, stream.done)
    elif exchange.ending == "reset":
        answer["fault"] = {"after_chunks": after, "disconnect": True}
    elif not stream.done and "finish_reason" not in stream.reply:
        answer["fault"] = {"after_chunks": after, "truncate": True}
    answer["stream"] = stream_profile(exchange.events, reply)
    return answer


def answer_of(exchange: Exchange) -> dict[str, Any]:
    """The ``respond`` mapping that answers the recorded call as it was answered."""
    if exchange.status != 200:
        return _error_answer(exchange)
    if exchange.streamed:
        return _stream_answer(exchange)
    try:
        return _json_answer(exchange)
    except (ValueError, AttributeError, TypeError, IndexError):
        return _error_answer(exchange)
