"""OpenRouter's per-key rate limits: requests and tokens over a sliding minute of scenario time."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..scenario.model import RateLimits
from .clock import Clock

WINDOW_S = 60.0


@dataclass(frozen=True)
class Refusal:
    """Why a call is over the limit, and when a slot frees (in scenario seconds from now)."""

    limit: int
    retry_after_s: float

    def headers(self) -> dict[str, str]:
        """``Retry-After`` and ``X-RateLimit-*`` as OpenRouter sends them on its own 429."""
        reset_ms = int((time.time() + self.retry_after_s) * 1000)
        return {
            "Retry-After": str(max(1, math.ceil(self.retry_after_s))),
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset_ms),
        }


class RateLimiter:
    """Sliding windows per API key; calls are counted only when admitted."""

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self.windows: dict[str, deque[tuple[float, int]]] = {}
        self.active = limits.requests_per_minute is not None or limits.tokens_per_minute is not None

    def _window(self, key: str, now: float) -> deque[tuple[float, int]]:
        window = self.windows.setdefault(key, deque())
        while window and window[0][0] <= now - WINDOW_S:
            window.popleft()
        return window

    def admit(self, key: str, count_tokens: Callable[[], int]) -> Refusal | None:
        """Count the call, or say why it is refused (``count_tokens`` only runs when tokens are limited)."""
        if not self.active:
            return None
        tokens = count_tokens() if self.limits.tokens_per_minute is not None else 0
        now = self.clock.now()
        window = self._window(key, now)
        rpm, tpm = self.limits.requests_per_minute, self.limits.tokens_per_minute
        if rpm is not None and len(window) >= rpm:
            return Refusal(rpm, window[0][0] + WINDOW_S - now)
        if tpm is not None and window and sum(t for _, t in window) + tokens > tpm:
            used, frees_at = sum(t for _, t in window) + tokens, window[-1][0]
            for stamp, spent in window:
                used -= spent
                if used <= tpm:
                    frees_at = stamp
                    break
            return Refusal(tpm, frees_at + WINDOW_S - now)
        window.append((now, tokens))
        return None

    def state(self) -> dict[str, Any]:
        """Each key's window: calls and tokens in it now."""
        now = self.clock.now()
        return {
            key: {"requests": len(w), "tokens": sum(t for _, t in w)}
            for key in list(self.windows)
            if (w := self._window(key, now))
        }
