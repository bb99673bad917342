"""``GET /models`` query parameters as OpenRouter documents them: filters, ``sort``, pagination."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

_INTS = ("offset", "limit", "context", "min_age_days", "max_age_days")
_PRICES = ("min_price", "max_price", "min_output_price", "max_output_price")
_INDEXES = {
    "intelligence": "intelligence_index",
    "coding": "coding_index",
    "agentic": "agentic_index",
}
_MILLION = Decimal(1_000_000)


class QueryError(ValueError):
    """A ``/models`` query parameter OpenRouter would refuse."""


def check_query(query: Mapping[str, str]) -> None:
    """Raise :class:`QueryError` for pagination or numeric filters that are not numbers in range."""
    try:
        for name in _INTS:
            if name in query and int(query[name]) < 0:
                raise QueryError(name)
        if "limit" in query and not 1 <= int(query["limit"]) <= 1000:
            raise QueryError("limit")
        for name in (*_PRICES, *(f"{e}_{k}_index" for k in _INDEXES for e in ("min", "max"))):
            if name in query:
                Decimal(query[name])
    except (ValueError, InvalidOperation):
        raise QueryError("not a number") from None


def _csv(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def _price(entry: Mapping[str, Any], key: str) -> Decimal:
    try:
        return Decimal(entry["pricing"].get(key, "0")) * _MILLION
    except InvalidOperation:
        return Decimal(0)


def _index(entry: Mapping[str, Any], name: str) -> float | None:
    found = ((entry.get("benchmarks") or {}).get("artificial_analysis") or {}).get(name)
    return float(found) if isinstance(found, int | float) else None


def _within(score: float | None, bound: float, low: bool) -> bool:
    if score is None:
        return False
    return score >= bound if low else score <= bound


def _filters(query: Mapping[str, str]) -> list[Callable[[Mapping[str, Any]], bool]]:
    tests: list[Callable[[Mapping[str, Any]], bool]] = []
    wanted_out = _csv(query.get("output_modalities", "text"))
    if "all" not in wanted_out:
        tests.append(lambda e: bool(wanted_out & set(e["architecture"]["output_modalities"])))
    if "input_modalities" in query:
        wanted_in = _csv(query["input_modalities"])
        tests.append(lambda e: wanted_in <= set(e["architecture"]["input_modalities"]))
    if "supported_parameters" in query:
        params = _csv(query["supported_parameters"])
        tests.append(lambda e: params <= set(e["supported_parameters"]))
    if "context" in query:
        context = int(query["context"])
        tests.append(lambda e: (e["context_length"] or 0) >= context)
    for name, key in (("price", "prompt"), ("output_price", "completion")):
        if f"min_{name}" in query:
            low = Decimal(query[f"min_{name}"])
            tests.append(lambda e, k=key, v=low: _price(e, k) >= v)  # type: ignore[misc]
        if f"max_{name}" in query:
            high = Decimal(query[f"max_{name}"])
            tests.append(lambda e, k=key, v=high: _price(e, k) <= v)  # type: ignore[misc]
    if needle := query.get("q", "").strip().lower():
        tests.append(lambda e: needle in e["id"].lower() or needle in e["name"].lower())
    if "arch" in query:
        arches = _csv(query["arch"])
        tests.append(lambda e: str(e["architecture"].get("tokenizer", "")).lower() in arches)
    if "model_authors" in query:
        authors = _csv(query["model_authors"])
        tests.append(lambda e: e["id"].split("/", 1)[0].lstrip("~").lower() in authors)
    now = time.time()
    if "min_age_days" in query:
        days = int(query["min_age_days"])
        tests.append(lambda e: now - e["created"] >= days * 86400)
    if "max_age_days" in query:
        days_max = int(query["max_age_days"])
        tests.append(lambda e: now - e["created"] <= days_max * 86400)
    for kind, name in _INDEXES.items():
        for end in ("min", "max"):
            if f"{end}_{kind}_index" in query:
                bound = float(query[f"{end}_{kind}_index"])
                at_least = end == "min"
                tests.append(lambda e, n=name, b=bound, m=at_least: _within(_index(e, n), b, m))  # type: ignore[misc]
    return tests


def _sorted(entries: list[Mapping[str, Any]], sort: str | None) -> list[Mapping[str, Any]]:
    if sort == "newest":
        return sorted(entries, key=lambda e: -int(e["created"]))
    if sort in ("pricing-low-to-high", "pricing-high-to-low"):
        average = lambda e: (_price(e, "prompt") + _price(e, "completion")) / 2  # noqa: E731
        return sorted(entries, key=average, reverse=sort == "pricing-high-to-low")
    if sort == "context-high-to-low":
        return sorted(entries, key=lambda e: -(e["context_length"] or 0))
    kind = (sort or "").removesuffix("-high-to-low")
    if kind in _INDEXES:
        scored = [e for e in entries if _index(e, _INDEXES[kind]) is not None]
        rest = [e for e in entries if _index(e, _INDEXES[kind]) is None]
        return [*sorted(scored, key=lambda e: -(_index(e, _INDEXES[kind]) or 0.0)), *rest]
    return entries


def listing(entries: Sequence[Mapping[str, Any]], query: Mapping[str, str]) -> dict[str, Any]:
    """The envelope ``{data, total_count, links}`` for ``query``; the full list unless paginated."""
    tests = _filters(query)
    found = _sorted([e for e in entries if all(test(e) for test in tests)], query.get("sort"))
    total = len(found)
    next_link = None
    if "offset" in query or "limit" in query:
        offset = int(query.get("offset", 0))
        limit = int(query.get("limit", 500))
        if offset + limit < total:
            next_link = f"/api/v1/models?offset={offset + limit}&limit={limit}"
        found = found[offset : offset + limit]
    return {"data": found, "total_count": total, "links": {"next": next_link}}
