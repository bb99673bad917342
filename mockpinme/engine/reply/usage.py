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
    audio_tokens: int = 0,
    video_tokens: int = 0,
    provider_fee: Decimal = Decimal(0),
    openrouter_fee: Decimal = Decimal(0),
    server_tool_use: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The full ``usage`` of one reply, keys in OpenRouter's order.

    ``completion_tokens`` includes ``reasoning_tokens`` (billed as output). A provider's fee (native
    search) is part of ``upstream_inference_cost``; OpenRouter's own (Exa search, the advisor) is
    added to ``cost`` only.
    """
    prompt_price, completion_price = model.prices_for(prompt_tokens)
    prompt_cost = prompt_price * prompt_tokens
    completion_cost = completion_price * completion_tokens
    upstream = prompt_cost + completion_cost + provider_fee
    cost = _usd(upstream + openrouter_fee)
    result: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {
            "cached_tokens": 0,
            "cache_write_tokens": 0,
            "audio_tokens": audio_tokens,
            "video_tokens": video_tokens,
        },
        "cost_details": {
            "upstream_inference_cost": _usd(upstream),
            "upstream_inference_prompt_cost": _usd(prompt_cost),
            "upstream_inference_completions_cost": _usd(completion_cost),
        },
        "completion_tokens_details": {
            "reasoning_tokens": reasoning_tokens,
            "image_tokens": 0,
            "audio_tokens": 0,
        },
    }
    if server_tool_use:
        result["server_tool_use_details"] = dict(server_tool_use)
    return result
