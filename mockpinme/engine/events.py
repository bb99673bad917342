"""A small publish/subscribe feed of journal events: each entry as it starts and as it ends.

Subscribers read from bounded queues; a reader that falls behind loses events (and is told how
many), so a slow page never slows the server down.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .journal import Entry

Kind = Literal["start", "end", "clear"]
Event = tuple[Kind, "Entry | None"]
QUEUE_SIZE = 1024


class Subscription:
    """One reader's queue of events, and how many it lost by falling behind."""

    __slots__ = ("lost", "queue")

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue(size)
        self.lost = 0

    def offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.lost += 1

    def take_lost(self) -> int:
        """How many events were dropped since last asked."""
        lost, self.lost = self.lost, 0
        return lost


class Feed:
    """Where the journal tells what happens; ``subscribers`` is empty (and publishing skipped) when
    nobody listens."""

    __slots__ = ("subscribers",)

    def __init__(self) -> None:
        self.subscribers: set[Subscription] = set()

    def publish(self, kind: Kind, entry: Entry | None) -> None:
        for subscriber in self.subscribers:
            subscriber.offer((kind, entry))

    def subscribe(self, size: int = QUEUE_SIZE) -> Subscription:
        """A new reader, told of every event from now on; :meth:`unsubscribe` it when done."""
        subscription = Subscription(size)
        self.subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscribers.discard(subscription)
