"""``usage`` objects with cost from the model's prices, as OpenRouter reports them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..catalog import ModelInfo


def _usd(value: Decimal) -> float:
    return float(round(value, 12))


def usage(
    model: ModelInfo,
    prompt_tokens: int,
    completion_tokens: int,
    *,
    reasoning_tokens: int = 0,
    searches: int = 0,
    search_fee: Decimal = Decimal(0),
) -> dict[str, Any]:
    """The full ``usage`` of one reply, keys in OpenRouter's order.

    ``completion_tokens`` includes ``reasoning_tokens`` (billed as output); ``cost`` adds the search fees.
    """
    prompt_price, completion_price = model.prices_for(prompt_tokens)
    prompt_cost = prompt_price * prompt_tokens
    completion_cost = completion_price * completion_tokens
    cost = _usd(prompt_cost + completion_cost + search_fee * searches)
    result: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {
            "cached_tokens": 0,
            "cache_write_tokens": 0,
            "audio_tokens": 0,
            "video_tokens": 0,
        },
        "cost_details": {
            "upstream_inference_cost": cost,
            "upstream_inference_prompt_cost": _usd(prompt_cost),
            "upstream_inference_completions_cost": _usd(completion_cost),
        },
        "completion_tokens_details": {
            "reasoning_tokens": reasoning_tokens,
            "image_tokens": 0,
            "audio_tokens": 0,
        },
    }
    if searches:
        result["server_tool_use_details"] = {
            "tool_calls_requested": searches,
            "tool_calls_executed": searches,
            "web_search_requests": searches,
        }
    return result
