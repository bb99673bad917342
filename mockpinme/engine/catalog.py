"""The model list a scenario serves: built-in OpenRouter entries, added ones and generated ones."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from ..scenario.convert import Problem
from ..scenario.load import ScenarioError
from ..scenario.model import ModelAdd, Models, Pricing

_DEFAULT_PARAMETERS = [
    "frequency_penalty", "max_tokens", "presence_penalty", "response_format", "seed", "stop",
    "structured_outputs", "temperature", "tool_choice", "tools", "top_p",
]  # fmt: skip


@dataclass(frozen=True)
class ModelInfo:
    """One served model: its OpenRouter entry and what the mock needs to answer for it."""

    entry: dict[str, Any]
    provider: str

    @property
    def id(self) -> str:
        return str(self.entry["id"])

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
        return prompt, completion

    @property
    def supports_reasoning(self) -> bool:
        return "reasoning" in self.entry


@cache
def _builtin() -> tuple[tuple[dict[str, Any], ...], dict[str, str]]:
    text = (Path(__file__).parents[1] / "data" / "openrouter_models.json").read_text("utf-8")
    data = json.loads(text)
    return tuple(data["models"]), dict(data["providers"])


@cache
def _saved(path: str, _mtime_ns: int) -> tuple[dict[str, Any], ...]:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError([Problem(None, ("models", "catalog"), f"cannot read {path}: {exc}")]) from None
    listed = data.get("data") if isinstance(data, dict) else data
    if not isinstance(listed, list):
        raise ScenarioError([Problem(None, ("models", "catalog"), f"{path} holds no /models listing")])
    entries = [e for e in listed if isinstance(e, dict) and isinstance(e.get("id"), str)]
    return tuple({**_added_entry(ModelAdd(id=e["id"])), **e} for e in entries)


def saved_listing(path: str) -> tuple[dict[str, Any], ...]:
    """The entries of a saved ``/models`` listing (a ScenarioError when it cannot be read)."""
    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError as exc:
        raise ScenarioError(
            [Problem(None, ("models", "catalog"), f"no model listing {path}: {exc.strerror}")]
        ) from None
    return _saved(path, mtime)


def _author_provider(model_id: str) -> str:
    author = model_id.split("/", 1)[0]
    return {
        "openai": "OpenAI",
        "anthropic": "Anthropic",
        "google": "Google AI Studio",
        "x-ai": "xAI",
        "mistralai": "Mistral",
    }.get(author, "DeepInfra")


def _added_entry(add: ModelAdd) -> dict[str, Any]:
    author, _, slug = add.id.partition("/")
    name = add.name or f"{author.title()}: {slug.replace('-', ' ').title()}"
    modality_out = list(add.output_modalities)
    return {
        "id": add.id,
        "canonical_slug": add.id,
        "hugging_face_id": None,
        "name": name,
        "created": 1767225600,
        "description": add.description or f"{name}, a model added by the scenario.",
        "context_length": add.context_length,
        "architecture": {
            "modality": f"text->{'+'.join(modality_out)}",
            "input_modalities": ["text"],
            "output_modalities": modality_out,
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
    """The models of one scenario, by id, in OpenRouter's order."""

    def __init__(self, spec: Models, seed: int) -> None:
        entries: dict[str, ModelInfo] = {}
        if spec.catalog == "openrouter":
            models, providers = _builtin()
            for entry in models:
                entries[entry["id"]] = ModelInfo(entry, providers.get(entry["id"], "OpenAI"))
        elif spec.catalog != "none":
            known = _builtin()[1]
            for entry in saved_listing(spec.catalog):
                entries[entry["id"]] = ModelInfo(
                    entry, known.get(entry["id"]) or _author_provider(entry["id"])
                )
        for add in (*spec.add, *_generated(spec.generate, seed)):
            entries[add.id] = ModelInfo(_added_entry(add), add.provider or _author_provider(add.id))
        for removed in spec.remove:
            entries.pop(removed, None)
        self.by_id = entries

    def get(self, model_id: str) -> ModelInfo | None:
        """The model for a requested id; ``:online`` and other variant suffixes resolve to the base id."""
        found = self.by_id.get(model_id)
        if found is None and ":" in model_id:
            found = self.by_id.get(model_id.split(":", 1)[0])
        return found

    def listing(self, query: Mapping[str, str]) -> dict[str, Any]:
        """The ``/models`` envelope for a query string (filters and optional pagination)."""
        entries = [m.entry for m in self.by_id.values() if _passes(m.entry, query)]
        total = len(entries)
        next_link = None
        if "offset" in query or "limit" in query:
            offset = int(query.get("offset", 0))
            limit = int(query.get("limit", 500))
            if offset + limit < total:
                next_link = f"/api/v1/models?offset={offset + limit}&limit={limit}"
            entries = entries[offset : offset + limit]
        return {"data": entries, "total_count": total, "links": {"next": next_link}}


class QueryError(ValueError):
    """A ``/models`` query parameter OpenRouter would refuse."""


def check_query(query: Mapping[str, str]) -> None:
    """Raise :class:`QueryError` for pagination or numeric filters that are not numbers in range."""
    try:
        if "offset" in query and int(query["offset"]) < 0:
            raise QueryError("offset")
        if "limit" in query and not 1 <= int(query["limit"]) <= 1000:
            raise QueryError("limit")
        if "context" in query:
            int(query["context"])
    except ValueError as exc:
        raise QueryError(str(exc)) from None


def _csv(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


def _passes(entry: dict[str, Any], query: Mapping[str, str]) -> bool:
    arch = entry["architecture"]
    wanted_out = _csv(query.get("output_modalities", "text"))
    if "all" not in wanted_out and not wanted_out & set(arch["output_modalities"]):
        return False
    if "input_modalities" in query and not _csv(query["input_modalities"]) <= set(arch["input_modalities"]):
        return False
    if "supported_parameters" in query and not _csv(query["supported_parameters"]) <= set(
        entry["supported_parameters"]
    ):
        return False
    if "context" in query and (entry["context_length"] or 0) < int(query["context"]):
        return False
    needle = query.get("q", "").strip().lower()
    return not needle or needle in entry["id"].lower() or needle in entry["name"].lower()
