"""OpenRouter's chat completion shapes: the JSON body and the stream chunks, keys in its order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import reasoning
from .encode import Slot
from .ids import CallId
from .reasoning import ReasoningOut


@dataclass(frozen=True)
class ToolCallOut:
    """A function call in a reply; its id is rendered per answer in the provider's ``id_style``."""

    id: Slot | str
    name: str
    arguments: str
    id_style: CallId = field(default_factory=CallId)


@dataclass(frozen=True)
class Reply:
    """Everything one answer says, before it is shaped as JSON or as a stream.

    ``annotations_per_chunk`` streams one citation per chunk (OpenRouter's own search, Exa) rather
    than all of them in one (a provider's native search).
    """

    id: Slot | str
    created: Slot | int
    model: str
    provider: str
    system_fingerprint: str | None
    content: str | None
    finish_reason: str
    usage: dict[str, Any]
    native_finish_reason: str | None = None
    service_tier: str | None = None
    reasoning: ReasoningOut | None = None
    tool_calls: tuple[ToolCallOut, ...] = ()
    annotations: tuple[dict[str, Any], ...] = ()
    annotations_per_chunk: bool = False
    searches: int = 0
    more_choices: tuple[str, ...] = ()

    @property
    def native(self) -> str:
        return self.native_finish_reason or self.finish_reason

    @property
    def reasoning_text(self) -> str | None:
        return self.reasoning.text if self.reasoning is not None else None


def message(reply: Reply) -> dict[str, Any]:
    """The assistant message of a non-streaming reply."""
    body: dict[str, Any] = {
        "role": "assistant",
        "content": reply.content,
        "refusal": None,
        "reasoning": reply.reasoning_text,
    }
    if reply.reasoning is not None:
        found = reasoning.details(reply.reasoning)
        if found:
            body["reasoning_details"] = found
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
        "service_tier": reply.service_tier,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": reply.finish_reason,
                "native_finish_reason": reply.native,
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
    """A ``chat.completion.chunk`` with the keys every chunk carries, in 2026's order, then ``extra``."""
    body: dict[str, Any] = {
        "id": reply.id,
        "object": "chat.completion.chunk",
        "created": reply.created,
        "model": reply.model,
        "provider": reply.provider,
    }
    if "service_tier" in extra:
        body["service_tier"] = extra.pop("service_tier")
    body["choices"] = choices
    if reply.system_fingerprint is not None:
        body["system_fingerprint"] = reply.system_fingerprint
    body.update(extra)
    return body


def delta_choice(
    delta: dict[str, Any], finish_reason: str | None = None, native: str | None = None
) -> dict[str, Any]:
    """One streamed choice; ``delta.role`` is on every chunk, after ``content``, as OpenRouter sends it."""
    return {
        "index": 0,
        "delta": {"content": delta.pop("content", ""), "role": "assistant", **delta},
        "finish_reason": finish_reason,
        "native_finish_reason": native,
    }


def annotation_chunks(reply: Reply) -> list[dict[str, Any]]:
    """The citations before the content: one chunk each (Exa), or all in one (native search)."""
    if not reply.annotations:
        return []
    groups = [[a] for a in reply.annotations] if reply.annotations_per_chunk else [list(reply.annotations)]
    return [chunk(reply, [delta_choice({"content": "", "annotations": group})]) for group in groups]


def reasoning_chunk(reply: Reply, piece: str) -> dict[str, Any]:
    """A piece of the reasoning, before any content."""
    assert reply.reasoning is not None
    details = reasoning.piece(reply.reasoning, piece)
    return chunk(reply, [delta_choice({"content": "", "reasoning": piece, "reasoning_details": details})])


def reasoning_closing_chunk(reply: Reply) -> dict[str, Any] | None:
    """The signature or encrypted item streamed on its own after the reasoning text, if any."""
    closing = reasoning.closing_piece(reply.reasoning) if reply.reasoning is not None else None
    if closing is None:
        return None
    return chunk(reply, [delta_choice({"content": "", "reasoning": None, "reasoning_details": closing})])


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
    return chunk(reply, [delta_choice({"content": ""}, reply.finish_reason, reply.native)])


def usage_chunk(reply: Reply) -> dict[str, Any]:
    """The last chunk before ``[DONE]`` as 2026 streams send it: ``service_tier``, the finish choice
    again, and the full usage."""
    choices = [delta_choice({"content": ""}, reply.finish_reason, reply.native)]
    return chunk(reply, choices, service_tier=reply.service_tier, usage=reply.usage)


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
