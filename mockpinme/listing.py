"""``mockpinme models``: the catalog a scenario serves, one model a line."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .engine.catalog import Catalog, ModelInfo
from .scenario import Scenario

FEATURES = (("tools", "tools"), ("structured_outputs", "structured"))
HEADER = ("id", "context", "$/M in", "$/M out", "features")


def features(model: ModelInfo) -> str:
    """What the model does in the mock: calls tools, reasons (under ``reasoning``), structured output."""
    supported = set(model.entry.get("supported_parameters") or ())
    found = [label for parameter, label in FEATURES if parameter in supported]
    if model.supports_reasoning:
        found.insert(1 if "tools" in found else 0, "reasoning")
    return ", ".join(found) or "-"


def _per_million(price: Decimal) -> str:
    value = price * 1_000_000
    return f"{value.normalize():f}" if value else "0"


def rows(scenario: Scenario, needle: str = "") -> Iterator[tuple[str, ...]]:
    """One row per model of ``scenario``'s catalog, in OpenRouter's order, whose line holds ``needle``."""
    catalog = Catalog(scenario.models, scenario.seed)
    wanted = needle.lower()
    for model in catalog.by_id.values():
        row = (
            model.id,
            str(model.entry.get("context_length") or "-"),
            _per_million(model.prompt_price),
            _per_million(model.completion_price),
            features(model),
        )
        name = str(model.entry.get("name", ""))
        if not wanted or wanted in " ".join((*row, name)).lower():
            yield row


def table(found: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text lines under a header."""
    every = [HEADER, *found]
    widths = [max(len(r[i]) for r in every) for i in range(len(HEADER))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in every]
