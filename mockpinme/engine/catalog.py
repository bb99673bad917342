"""The model list a scenario serves: OpenRouter's real listing (or a user's dump), added, generated
and, with ``accept_unknown``, made-up entries. Everything is parsed on first use, not at start-up."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ..openrouter.providers import Family, family_of, with_provider
from ..scenario.model import ModelAdd, Models, Pricing
from .catalog_query import listing

BUILTIN = Path(__file__).parents[1] / "data" / "openrouter_models.json.gz"
_DEFAULT_PARAMETERS = [
    "frequency_penalty", "max_tokens", "presence_penalty", "response_format", "seed", "stop",
    "structured_outputs", "temperature", "tool_choice", "tools", "top_p",
]  # fmt: skip
_ENDPOINTS = {
    "embeddings": "/api/v1/embeddings",
    "image": "/api/v1/images",
    "video": "/api/v1/videos",
    "speech": "/api/v1/audio/speech",
    "transcription": "/api/v1/audio/transcriptions",
    "rerank": "/api/v1/rerank",
    "audio": "/api/v1/audio/speech",
}


@dataclass(frozen=True)
class ModelInfo:
    """One served model: its OpenRouter entry and the provider family that answers for it."""

    entry: dict[str, Any]
    family: Family

    @cached_property
    def id(self) -> str:
        return str(self.entry["id"])

    @property
    def provider(self) -> str:
        return self.family.provider

    @property
    def canonical_slug(self) -> str:
        return str(self.entry.get("canonical_slug") or self.id)

    @property
    def prompt_price(self) -> Decimal:
        return Decimal(self.entry["pricing"]["prompt"])

    @property
    def completion_price(self) -> Decimal:
        return Decimal(self.entry["pricing"]["completion"])

    def prices_for(self, prompt_tokens: int) -> tuple[Decimal, Decimal]:
        """Prompt and completion price per token, after ``overrides`` such as ``min_prompt_tokens``."""
        prompt, completion = self.prompt_price, self.completion_price
        for override in self.entry["pricing"].get("overrides", []):
            if prompt_tokens >= int(override.get("min_prompt_tokens", 0)):
                prompt = Decimal(override.get("prompt", prompt))
                completion = Decimal(override.get("completion", completion))
        return max(prompt, Decimal(0)), max(completion, Decimal(0))

    @cached_property
    def reasoning(self) -> Mapping[str, Any] | None:
        """The entry's ``reasoning`` (``mandatory``, ``default_enabled``, efforts), or None."""
        found = self.entry.get("reasoning")
        return found if isinstance(found, dict) else None

    @property
    def supports_reasoning(self) -> bool:
        return self.reasoning is not None

    @cached_property
    def input_modalities(self) -> frozenset[str]:
        return frozenset(self.entry["architecture"].get("input_modalities") or ["text"])

    @cached_property
    def supported_parameters(self) -> frozenset[str]:
        return frozenset(self.entry.get("supported_parameters") or [])

    @cached_property
    def chat_endpoint(self) -> str | None:
        """None for a model that answers chat (text out); else the endpoint that serves it."""
        outputs = self.entry["architecture"].get("output_modalities") or ["text"]
        if "text" in outputs:
            return None
        return next((_ENDPOINTS[o] for o in outputs if o in _ENDPOINTS), "/api/v1/" + outputs[0])


@cache
def builtin_entries() -> tuple[dict[str, Any], ...]:
    """OpenRouter's listing of August 2026, every model (``output_modalities=all``), as shipped."""
    import gzip

    with gzip.open(BUILTIN, "rt", encoding="utf-8") as f:
        return tuple(json.load(f)["data"])


@cache
def _dump_entries(path: str, mtime_ns: int) -> tuple[dict[str, Any], ...]:
    data = json.loads(Path(path).read_text("utf-8"))
    listed = data["data"] if isinstance(data, dict) else data
    return tuple({**added_entry(ModelAdd(id=e["id"])), **e} for e in listed)


def dump_entries(path: str) -> tuple[dict[str, Any], ...]:
    """The entries of a file saved from the real ``/models`` (its envelope, or the bare array)."""
    return _dump_entries(path, Path(path).stat().st_mtime_ns)


def added_entry(add: ModelAdd) -> dict[str, Any]:
    """A complete OpenRouter entry for a scenario's ``models.add`` (or an accepted unknown id)."""
    author, _, slug = add.id.partition("/")
    name = add.name or f"{author.title()}: {slug.replace('-', ' ').title()}"
    outputs, inputs = list(add.output_modalities), list(add.input_modalities)
    entry: dict[str, Any] = {
        "id": add.id,
        "canonical_slug": add.id,
        "hugging_face_id": None,
        "name": name,
        "created": 1767225600,
        "description": add.description or f"{name}, a model added by the scenario.",
        "context_length": add.context_length,
        "architecture": {
            "modality": f"{'+'.join(inputs)}->{'+'.join(outputs)}",
            "input_modalities": inputs,
            "output_modalities": outputs,
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": add.pricing.prompt, "completion": add.pricing.completion},
        "top_provider": {
            "context_length": add.context_length,
            "max_completion_tokens": min(add.context_length, 16384),
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": list(add.supported_parameters or _DEFAULT_PARAMETERS),
        "default_parameters": {},
        "supported_voices": None,
        "knowledge_cutoff": None,
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{add.id}/endpoints"},
    }
    if add.reasoning is not None:
        entry["reasoning"] = {"mandatory": add.reasoning.mandatory}
        if add.reasoning.default_enabled is not None:
            entry["reasoning"]["default_enabled"] = add.reasoning.default_enabled
        entry["supported_parameters"] = sorted(
            {*entry["supported_parameters"], "reasoning", "include_reasoning"}
        )
    return entry


def _generated(count: int, seed: int) -> list[ModelAdd]:
    if not count:
        return []
    from faker import Faker

    fake = Faker()
    fake.seed_instance(seed)
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        author = fake.unique.word().lower()
        slug = f"{fake.word().lower()}-{rng.choice(['mini', 'pro', 'flash', 'large', 'instruct'])}"
        prompt = Decimal(rng.choice([1, 2, 5, 15, 30, 100])) / Decimal(10_000_000)
        made.append(
            ModelAdd(
                id=f"{author}/{slug}",
                context_length=rng.choice([8192, 32768, 131072, 262144]),
                pricing=_pricing(prompt, prompt * rng.choice([2, 3, 4])),
            )
        )
    return made


def _pricing(prompt: Decimal, completion: Decimal) -> Pricing:
    return Pricing(prompt=f"{prompt.normalize():f}", completion=f"{completion.normalize():f}")


class Catalog:
    """The models of one scenario, by id, in OpenRouter's order; built on first use."""

    def __init__(self, spec: Models, seed: int) -> None:
        self.spec = spec
        self.seed = seed
        self._accepted: dict[str, ModelInfo] = {}

    @cached_property
    def by_id(self) -> dict[str, ModelInfo]:
        """Every served model (text or not), by id."""
        spec = self.spec
        source: tuple[dict[str, Any], ...] = ()
        if spec.catalog == "openrouter":
            source = builtin_entries()
        elif spec.catalog != "none":
            source = dump_entries(spec.catalog)
        entries = {e["id"]: ModelInfo(e, family_of(e["id"])) for e in source}
        for add in (*spec.add, *_generated(spec.generate, self.seed)):
            entries[add.id] = ModelInfo(added_entry(add), with_provider(family_of(add.id), add.provider))
        for removed in spec.remove:
            entries.pop(removed, None)
        return entries

    def get(self, model_id: str) -> ModelInfo | None:
        """The model for a requested id; ``:online`` and other variant suffixes resolve to the base id;
        with ``accept_unknown``, any ``vendor/name`` is a generic model of that vendor."""
        found = self.by_id.get(model_id)
        if found is None and ":" in model_id:
            found = self.by_id.get(model_id.split(":", 1)[0])
        if found is None and self.spec.accept_unknown and _vendor_name(model_id):
            found = self._accepted.get(model_id)
            if found is None and len(self._accepted) < 10_000:
                found = self._accepted[model_id] = ModelInfo(
                    added_entry(ModelAdd(id=model_id)), family_of(model_id)
                )
        return found

    def listing(self, query: Mapping[str, str]) -> dict[str, Any]:
        """The ``/models`` envelope for a query string (filters, sort and optional pagination)."""
        return listing([m.entry for m in self.by_id.values()], query)


def _vendor_name(model_id: str) -> bool:
    author, _, name = model_id.partition("/")
    return bool(author) and bool(name) and len(model_id) <= 200 and not any(c.isspace() for c in model_id)
