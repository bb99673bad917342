"""Reply text: canned, or generated from the scenario's seed and the request."""

from __future__ import annotations

import hashlib
import json
import random
from typing import TYPE_CHECKING, Any

from ...scenario.model import Generate

if TYPE_CHECKING:
    from faker import Faker


def request_seed(scenario_seed: int, model: str, messages: Any) -> int:
    """A number that depends only on the scenario's seed, the model and the messages."""
    text = json.dumps([scenario_seed, model, messages], sort_keys=True, ensure_ascii=False)
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big"
    )


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
        fake = self._fake()
        fake.seed_instance(seed)
        rng = random.Random(seed)
        if spec.words is not None:
            words = fake.words(nb=_draw(spec.words, rng))
            return " ".join(words).capitalize() + "."
        count = _draw(spec.sentences if spec.sentences is not None else (1, 3), rng)
        return " ".join(fake.sentence(nb_words=rng.randint(6, 14)) for _ in range(count))


def _draw(count: int | tuple[int, ...], rng: random.Random) -> int:
    if isinstance(count, int):
        return count
    return rng.randint(min(count[0], count[-1]), max(count[0], count[-1]))
