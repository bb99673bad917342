"""JSON as OpenRouter sends it (compact, UTF-8), and bytes with slots where each answer's ids go.

An id is never searched for in the bytes: encoding a value that holds :class:`Slot` objects leaves
the slot out and records its offset, and :meth:`Encoded.render` inserts the values there.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_dumps_ascii = json.JSONEncoder(separators=(",", ":")).encode
MAX_JSON_DEPTH = 128
"""How deep a JSON body may nest (arrays and objects)."""


def compact_json(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON; text holding lone surrogates (from a ``\\ud800`` escape a
    client sent) is written as ``\\u`` escapes, as a JavaScript server writes it."""
    try:
        return _dumps(value).encode()
    except UnicodeEncodeError:
        return _dumps_ascii(value).encode()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return False


def _stdlib_json(data: bytes | str, max_depth: int) -> Any:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {max_depth} levels") from None


def parse_json(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity, nested at most ``max_depth`` deep; else ValueError.

    orjson reads what it can; what it refuses (lone surrogate escapes, numbers past a double,
    malformed text) goes to the standard library, whose answer or error stands."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = _stdlib_json(data, max_depth)
    if len(data) <= max_depth:
        return value
    if isinstance(data, bytes):
        nests = data.count(b"[") + data.count(b"{")
    else:
        nests = data.count("[") + data.count("{")
    if nests > max_depth and _too_deep(value, max_depth):
        raise ValueError(f"nested deeper than {max_depth} levels")
    return value


@dataclass(frozen=True, slots=True)
class Slot:
    """A place for a value known only when answering: ``index`` into the values, ``quoted`` as a string."""

    index: int
    quoted: bool = True


GENERATION_ID = Slot(0)
CREATED = Slot(1, quoted=False)
_FIRST_CALL = 2


def call_slot(index: int) -> Slot:
    """Where the id of tool call ``index`` goes."""
    return Slot(_FIRST_CALL + index)


SlotAt = tuple[int, Slot]


@dataclass(frozen=True, slots=True)
class Template:
    """Encoded bytes cut at their slots: ``parts`` with a ``None`` wherever ``values[index]`` goes."""

    parts: tuple[bytes | None, ...]
    indexes: tuple[int, ...]

    def fill(self, values: Sequence[bytes]) -> bytes:
        """The bytes with the values in."""
        if not self.indexes:
            return self.parts[0] or b""
        pieces = list(self.parts)
        pieces[1::2] = map(values.__getitem__, self.indexes)
        return b"".join(pieces)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Encoded:
    """Bytes with the offsets where slot values are inserted."""

    data: bytes
    slots: tuple[SlotAt, ...] = ()

    def __add__(self, other: Encoded) -> Encoded:
        shift = len(self.data)
        return Encoded(self.data + other.data, self.slots + tuple((o + shift, s) for o, s in other.slots))

    def render(self, values: Sequence[bytes]) -> bytes:
        """The bytes with ``values[slot.index]`` at each slot."""
        return self.template().fill(values)

    def template(self) -> Template:
        """The bytes made ready to take each answer's values (made once, filled per answer)."""
        if not self.slots:
            return Template((self.data,), ())
        parts: list[bytes | None] = []
        start = 0
        for offset, _ in self.slots:
            parts += (self.data[start:offset], None)
            start = offset
        parts.append(self.data[start:])
        return Template(tuple(parts), tuple(slot.index for _, slot in self.slots))

    def replace(self, old: bytes, new: bytes) -> Encoded:
        """Replace ``old`` in the bytes, which must not hold a slot's offset inside a match."""
        if not self.slots:
            return Encoded(self.data.replace(old, new))
        pieces = self.split_at([offset for offset, _ in self.slots])
        joined = Encoded(b"")
        for piece in pieces:
            joined = joined + Encoded(piece.data.replace(old, new), piece.slots)
        return joined

    def split_at(self, offsets: Sequence[int]) -> list[Encoded]:
        """The pieces between ``offsets``; a slot goes with the piece that starts at or before it."""
        cuts = [0, *sorted(set(offsets) - {0, len(self.data)}), len(self.data)]
        pieces = []
        for start, end in itertools.pairwise(cuts):
            slots = tuple(
                (o - start, s) for o, s in self.slots if start <= o < end or (o == end == len(self.data))
            )
            pieces.append(Encoded(self.data[start:end], slots))
        return pieces


def _number(value: float) -> bytes:
    """A float as OpenRouter writes it: ``0.00002535``, never ``2.535e-05``."""
    text = repr(value)
    if "e" not in text:
        return text.encode()
    return format(Decimal(text), "f").encode()


def _has_slot(value: Any) -> bool:
    """Does ``value`` hold a slot, or a float that JSON would write with an exponent?"""
    if isinstance(value, Slot):
        return True
    if isinstance(value, float):
        return "e" in repr(value)
    if isinstance(value, dict):
        return any(_has_slot(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_slot(v) for v in value)
    return False


def encode(value: Any) -> Encoded:
    """``value`` as compact JSON, its :class:`Slot` objects left as slots, small floats without exponents."""
    data = bytearray()
    slots: list[SlotAt] = []
    _encode_into(value, data, slots)
    return Encoded(bytes(data), tuple(slots))


def _encode_into(value: Any, data: bytearray, slots: list[SlotAt]) -> None:
    if isinstance(value, Slot):
        if value.quoted:
            data += b'"'
        slots.append((len(data), value))
        if value.quoted:
            data += b'"'
    elif isinstance(value, float) and _has_slot(value):
        data += _number(value)
    elif not _has_slot(value):
        data += compact_json(value)
    elif isinstance(value, dict):
        data += b"{"
        for i, (key, item) in enumerate(value.items()):
            if i:
                data += b","
            data += compact_json(str(key)) + b":"
            _encode_into(item, data, slots)
        data += b"}"
    else:
        data += b"["
        for i, item in enumerate(value):
            if i:
                data += b","
            _encode_into(item, data, slots)
        data += b"]"
