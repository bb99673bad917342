"""Reply text: canned, or generated from the scenario's seed and the request."""

from __future__ import annotations

import hashlib
import json
import random
from typing import TYPE_CHECKING, Any

from ..scenario.model import Generate

if TYPE_CHECKING:
    from faker import Faker


def request_seed(scenario_seed: int, model: str, messages: Any) -> int:
    """A number that depends only on the scenario's seed, the model and the messages."""
    text = json.dumps([scenario_seed, model, messages], sort_keys=True, ensure_ascii=False)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class TextGenerator:
    """Plausible sentences; the Faker instance is made on first use (its import costs start-up time)."""

    def __init__(self) -> None:
        self._faker: Faker | None = None

    def _fake(self) -> Faker:
        if self._faker is None:
            from faker import Faker

            self._faker = Faker("en_US")
        return self._faker

    def generate(self, spec: Generate, seed: int) -> str:
        """The same ``spec`` and ``seed`` give the same text."""
        sentences = spec.sentences
        low, high = (sentences, sentences) if isinstance(sentences, int) else (sentences[0], sentences[-1])
        fake = self._fake()
        fake.seed_instance(seed)
        n = random.Random(seed).randint(min(low, high), max(low, high))
        return " ".join(fake.sentence(nb_words=random.Random(seed + i).randint(6, 14)) for i in range(n))
