"""OpenRouter's chat completion shapes: the JSON body and the stream chunks, keys in its order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .encode import Slot


@dataclass(frozen=True)
class ToolCallOut:
    """A function call in a reply."""

    id: Slot | str
    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """Everything one answer says, before it is shaped as JSON or as a stream."""

    id: Slot | str
    created: Slot | int
    model: str
    provider: str
    system_fingerprint: str | None
    content: str | None
    finish_reason: str
    usage: dict[str, Any]
    reasoning: str | None = None
    reasoning_format: str = "unknown"
    tool_calls: tuple[ToolCallOut, ...] = ()
    annotations: tuple[dict[str, Any], ...] = ()
    searches: int = 0
    more_choices: tuple[str, ...] = ()


def reasoning_detail(text: str, fmt: str) -> dict[str, Any]:
    """One ``reasoning.text`` entry of ``reasoning_details``."""
    return {"type": "reasoning.text", "text": text, "signature": None, "id": None, "format": fmt, "index": 0}


def message(reply: Reply) -> dict[str, Any]:
    """The assistant message of a non-streaming reply."""
    body: dict[str, Any] = {
        "role": "assistant",
        "content": reply.content,
        "refusal": None,
        "reasoning": reply.reasoning,
    }
    if reply.reasoning is not None:
        body["reasoning_details"] = [reasoning_detail(reply.reasoning, reply.reasoning_format)]
    if reply.tool_calls:
        body["tool_calls"] = [
            {
                "type": "function",
                "index": i,
                "id": call.id,
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for i, call in enumerate(reply.tool_calls)
        ]
    if reply.annotations:
        body["annotations"] = list(reply.annotations)
    return body


def completion_body(reply: Reply) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` body."""
    return {
        "id": reply.id,
        "object": "chat.completion",
        "created": reply.created,
        "model": reply.model,
        "provider": reply.provider,
        "system_fingerprint": reply.system_fingerprint,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": reply.finish_reason,
                "native_finish_reason": reply.finish_reason,
                "message": message(reply),
            },
            *(_more_choice(reply, i, text) for i, text in enumerate(reply.more_choices, 1)),
        ],
        "usage": reply.usage,
    }


def _more_choice(reply: Reply, index: int, text: str) -> dict[str, Any]:
    """Choice ``index`` (1 and up) of an ``n`` > 1 reply: text only."""
    return {
        "index": index,
        "logprobs": None,
        "finish_reason": reply.finish_reason,
        "native_finish_reason": reply.finish_reason,
        "message": {"role": "assistant", "content": text, "refusal": None, "reasoning": None},
    }


def chunk(reply: Reply, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A ``chat.completion.chunk`` with the keys every chunk carries, then ``extra``."""
    body: dict[str, Any] = {
        "id": reply.id,
        "provider": reply.provider,
        "model": reply.model,
        "object": "chat.completion.chunk",
        "created": reply.created,
        "choices": choices,
    }
    if reply.system_fingerprint is not None:
        body["system_fingerprint"] = reply.system_fingerprint
    body.update(extra)
    return body


def delta_choice(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    """One streamed choice; ``delta.role`` is on every chunk, as OpenRouter sends it."""
    return {
        "index": 0,
        "delta": {"role": "assistant", **delta},
        "finish_reason": finish_reason,
        "native_finish_reason": finish_reason,
        "logprobs": None,
    }


def opening_chunk(reply: Reply) -> dict[str, Any]:
    """The first chunk: the role and empty content, and the citations when there are any."""
    delta: dict[str, Any] = {"content": ""}
    if reply.annotations:
        delta["annotations"] = list(reply.annotations)
    return chunk(reply, [delta_choice(delta)])


def reasoning_chunk(reply: Reply, piece: str) -> dict[str, Any]:
    """A piece of the reasoning, before any content."""
    details = [reasoning_detail(piece, reply.reasoning_format)]
    return chunk(reply, [delta_choice({"content": "", "reasoning": piece, "reasoning_details": details})])


def tool_call_chunks(reply: Reply, pieces: int = 3) -> list[dict[str, Any]]:
    """Each call as OpenAI-style deltas: id, type and name first, then the arguments in pieces."""
    chunks = []
    for index, call in enumerate(reply.tool_calls):
        head = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        chunks.append(chunk(reply, [delta_choice({"content": None, "tool_calls": [head]})]))
        size = max(1, -(-len(call.arguments) // pieces))
        for start in range(0, len(call.arguments), size):
            part = {"index": index, "function": {"arguments": call.arguments[start : start + size]}}
            chunks.append(chunk(reply, [delta_choice({"content": None, "tool_calls": [part]})]))
    return chunks


def content_chunk(reply: Reply, piece: str) -> dict[str, Any]:
    """One piece of the content."""
    return chunk(reply, [delta_choice({"content": piece})])


def finish_chunk(reply: Reply) -> dict[str, Any]:
    """The chunk that carries ``finish_reason``, on its own."""
    return chunk(reply, [delta_choice({"content": ""}, reply.finish_reason)])


def usage_chunk(reply: Reply) -> dict[str, Any]:
    """The last chunk before ``[DONE]``: no choices, the full usage."""
    return chunk(reply, [], usage=reply.usage)


def stream_error_chunk(reply: Reply, code: int, message: str, error_type: str) -> dict[str, Any]:
    """OpenRouter's in-band error: every chunk key, a top-level ``error``, ``finish_reason: "error"``."""
    return {
        "id": reply.id,
        "object": "chat.completion.chunk",
        "created": reply.created,
        "model": reply.model,
        "provider": reply.provider,
        "error": {"code": code, "message": message, "metadata": {"error_type": error_type}},
        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
    }


def errored_body(reply: Reply, code: int, message: str, error_type: str) -> dict[str, Any]:
    """A non-streaming reply that failed after partial output: HTTP 200, the error on the choice."""
    body = completion_body(reply)
    choice = body["choices"][0]
    choice["error"] = {"code": code, "message": message, "metadata": {"error_type": error_type}}
    return body
