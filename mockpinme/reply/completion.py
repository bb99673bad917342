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


def stream_payloads(reply: Reply, pieces: list[str]) -> list[dict[str, Any]]:
    """The data events of a stream: an empty opening delta, the content, the finish, the usage."""
    events = [chunk(reply, [delta_choice({"content": ""})])]
    events.extend(chunk(reply, [delta_choice({"content": piece})]) for piece in pieces)
    events.append(chunk(reply, [delta_choice({"content": ""}, reply.finish_reason)]))
    events.append(chunk(reply, [], usage=reply.usage))
    return events
