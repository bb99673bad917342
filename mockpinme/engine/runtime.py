"""What a running server accumulates whatever the scenario: the clock, ids, the journal, failures."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .clock import Clock
from .journal import DEFAULT_LIMIT, Journal
from .outbox import Outbox
from .reply.build import ReplyBuilder
from .tokens import Signer


class IdSource(random.Random):
    """The named random source of response ids; seed it for repeatable ids."""


@dataclass
class Runtime:
    """The clock every delay reads, the id source, the journal, the failures inside the mock, the outbox
    and the key that signs id tokens."""

    clock: Clock
    journal: Journal
    ids: IdSource = field(default_factory=IdSource)
    replies: ReplyBuilder = field(default_factory=ReplyBuilder)
    failures: list[BaseException] = field(default_factory=list)
    outbox: Outbox = field(default_factory=Outbox)
    signer: Signer = field(default_factory=Signer)

    @classmethod
    def create(cls, speed: float = 1.0, journal_limit: int = DEFAULT_LIMIT) -> Runtime:
        return cls(Clock(speed), Journal(journal_limit))
