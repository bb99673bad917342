"""Server-sent events cut out of a byte stream as it arrives, each stamped with its arrival time."""

from __future__ import annotations

import re

from .exchange import Event

_BOUNDARY = re.compile(rb"\r\n\r\n|\n\n|\r\r|\r\n\n|\n\r\n")
_LINE = re.compile(r"\r\n|\r|\n")


def parse_event(raw: str, at: float) -> Event | None:
    """One event's lines: its ``data`` joined, or a comment; None for an event with neither."""
    data: list[str] = []
    comment = False
    for line in _LINE.split(raw):
        if line.startswith(":"):
            comment = True
        elif line.startswith("data"):
            value = line[5:] if line.startswith("data:") else ""
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        return Event(at, False, "\n".join(data))
    return Event(at, True) if comment else None


class EventSplitter:
    """Feed it bytes as they come; it returns the events each piece completed."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes, at: float) -> list[Event]:
        """The events that ``data`` completed, stamped ``at``."""
        self.buffer += data
        events: list[Event] = []
        while True:
            found = _BOUNDARY.search(self.buffer)
            if found is None or (found.end() == len(self.buffer) and self.buffer.endswith(b"\r")):
                break
            raw, self.buffer = self.buffer[: found.start()], self.buffer[found.end() :]
            event = parse_event(raw.decode("utf-8", "replace"), at)
            if event is not None:
                events.append(event)
        return events

    def close(self, at: float) -> list[Event]:
        """What was left when the stream ended: an event without its blank line is dropped, as SSE says."""
        self.buffer = b""
        return []
