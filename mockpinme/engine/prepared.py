"""Replies prepared once per distinct request and kept encoded, ids left as slots; each answer
renders its own ids in. Same inputs, same bytes, without building them again."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..openrouter import plan
from ..openrouter.completion import Reply, completion_body, errored_body
from ..openrouter.encode import Template, encode
from ..openrouter.faults import Fault, choice_error
from ..openrouter.timing import Pacer, StreamProfile
from .inputs import ReplyInputs
from .reply.build import ReplyBuilder
from .reply.text import request_seed

CACHE_SIZE = 512
CACHE_BYTES = 64 << 20
"""About how much memory the prepared replies may hold in all (their encodings estimated)."""


def footprint(reply: Reply) -> int:
    """About the bytes one prepared reply holds once encoded as JSON and as a stream plan."""
    reasoning = reply.reasoning
    text = len(reply.content or "") + (len(reasoning.text or "") if reasoning is not None else 0)
    text += sum(len(call.arguments) + len(call.name) for call in reply.tool_calls)
    return 4 * text + 2048


@dataclass
class Prepared:
    """One reply, and its encodings made on first use: the JSON body, the stream's plan."""

    reply: Reply
    seed: int
    size: int = 0
    _json: Template | None = None
    _steps: list[plan.Step] | None = field(default=None, repr=False)

    def json_body(self, fault: Fault | None) -> Template:
        """The non-streaming body; with a ``stream_error`` or ``truncate`` fault, the error on the choice."""
        if self._json is None:
            e = choice_error(fault)
            if e is not None:
                body = errored_body(self.reply, e.code, e.message, e.error_type)
            else:
                body = completion_body(self.reply)
            self._json = encode(body).template()
        return self._json

    def steps(self, profile: StreamProfile, fault: Fault | None) -> list[plan.Step]:
        """The stream's plan; its waits come from the request's seed, so they repeat too."""
        if self._steps is None:
            pacer = Pacer(profile, random.Random(self.seed))
            searching = pacer.searching() if self.reply.searches else 0.0
            events = plan.stream_events(self.reply, profile.chunk, fault)
            self._steps = plan.apply_wire(plan.build_plan(events, pacer, fault, searching), profile.wire)
        return self._steps


class ReplyCache:
    """Up to ``size`` prepared replies, fewer when they hold more than about ``max_bytes``, by their
    inputs (the oldest goes first once it is full); :meth:`get_or_build` is the way in."""

    def __init__(self, builder: ReplyBuilder, size: int = CACHE_SIZE, max_bytes: int = CACHE_BYTES) -> None:
        self.builder = builder
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: dict[tuple[Any, ...], Prepared] = {}

    def get_or_build(self, inputs: ReplyInputs) -> Prepared:
        """The prepared reply for ``inputs``, built on the first request for it."""
        key = inputs.key
        found = self._items.get(key)
        if found is not None:
            return found
        request = inputs.request
        seed = request_seed(inputs.seed, request.model, request.messages)
        prepared = self._items[key] = Prepared(self.builder.build(inputs, seed), seed)
        prepared.size = footprint(prepared.reply)
        self.bytes += prepared.size
        while len(self._items) > 1 and (len(self._items) > self.size or self.bytes > self.max_bytes):
            self.bytes -= self._items.pop(next(iter(self._items))).size
        return prepared

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0
