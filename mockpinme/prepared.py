"""Replies prepared once per distinct request, their bytes encoded with marks where the ids go;
each answer stamps fresh ids in. Same request, same bytes, without building them again."""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

from .reply.completion import Reply, completion_body, errored_body
from .scenario.model import Fault, StreamProfile
from .wire import stream
from .wire.encode import compact_json
from .wire.pace import Pacer

ID_MARK = "gen-0000000000-" + "@" * 20
CREATED_MARK = 9_999_999_999
_CREATED_BYTES = b'"created":%d' % CREATED_MARK
_ID_MARK_BYTES = ID_MARK.encode()
CACHE_SIZE = 512


def call_mark(index: int) -> str:
    """Where the id of tool call ``index`` goes."""
    return f"call_{'@' * 22}{index:02d}"


class Stamp:
    """Fresh ids for one answer: ``gen-<unix>-<20 alphanumerics>`` and ``call_<24 hex>``."""

    __slots__ = ("_calls", "_created", "_id", "generation_id")

    def __init__(self, rng: random.Random, tool_calls: int) -> None:
        created = int(time.time())
        self._id = b"gen-%d-%020x" % (created, rng.getrandbits(80))
        self.generation_id = self._id.decode()
        self._created = b'"created":%d' % created
        self._calls: tuple[tuple[bytes, bytes], ...] = ()
        if tool_calls:
            self._calls = tuple(
                (call_mark(index).encode(), b"call_%024x" % rng.getrandbits(96))
                for index in range(tool_calls)
            )

    def __call__(self, data: bytes) -> bytes:
        data = data.replace(_ID_MARK_BYTES, self._id).replace(_CREATED_BYTES, self._created)
        for mark, value in self._calls:
            data = data.replace(mark, value)
        return data


@dataclass
class Prepared:
    """One reply, and its encodings made on first use: the JSON body, the stream's plan."""

    reply: Reply
    seed: int
    _json: bytes | None = None
    _steps: list[stream.Step] | None = field(default=None, repr=False)

    def json_body(self, fault: Fault | None) -> bytes:
        """The non-streaming body; with a ``stream_error`` fault, the error on the choice."""
        if self._json is None:
            if fault is not None and fault.stream_error is not None:
                e = fault.stream_error
                body = errored_body(self.reply, e.code, e.message, e.error_type)
            else:
                body = completion_body(self.reply)
            self._json = compact_json(body)
        return self._json

    def steps(self, profile: StreamProfile, fault: Fault | None) -> list[stream.Step]:
        """The stream's plan; its waits come from the request's seed, so they repeat too."""
        if self._steps is None:
            pacer = Pacer(profile, random.Random(self.seed))
            searching = pacer.searching() if self.reply.searches else 0.0
            events = stream.stream_events(self.reply, profile.chunk, fault)
            self._steps = stream.apply_wire(stream.build_plan(events, pacer, fault, searching), profile.wire)
        return self._steps


class PreparedCache:
    """The last ``size`` prepared replies, by what determines them."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Prepared] = OrderedDict()

    def get(self, key: Hashable) -> Prepared | None:
        """The prepared reply for ``key``, if there is one."""
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, prepared: Prepared) -> Prepared:
        """Keep ``prepared`` for ``key`` (the least recently used goes once the cache is full)."""
        self._items[key] = prepared
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return prepared

    def clear(self) -> None:
        self._items.clear()
