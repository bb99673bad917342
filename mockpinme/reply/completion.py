"""OpenRouter's chat completion shapes: the JSON body and the stream chunks, keys in its order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    """Everything one answer says, before it is shaped as JSON or as a stream."""

    id: str
    created: int
    model: str
    provider: str
    system_fingerprint: str | None
    content: str
    finish_reason: str
    usage: dict[str, Any]


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
                "message": {
                    "role": "assistant",
                    "content": reply.content,
                    "refusal": None,
                    "reasoning": None,
                },
            }
        ],
        "usage": reply.usage,
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
    """The first chunk: the role and empty content, as OpenRouter opens a stream."""
    return chunk(reply, [delta_choice({"content": ""})])


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


def errored_body(reply: Reply, partial: str, code: int, message: str, error_type: str) -> dict[str, Any]:
    """A non-streaming reply that failed after partial output: HTTP 200, the error on the choice."""
    body = completion_body(reply)
    choice = body["choices"][0]
    choice["finish_reason"] = choice["native_finish_reason"] = "error"
    choice["message"]["content"] = partial
    choice["error"] = {"code": code, "message": message, "metadata": {"error_type": error_type}}
    return body
