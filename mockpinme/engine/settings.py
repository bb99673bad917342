"""How a server was started: what no request can change."""

from __future__ import annotations

from dataclasses import dataclass

from .journal import DEFAULT_LIMIT


@dataclass(frozen=True)
class Settings:
    """A server's fixed configuration."""

    seed: int | None = None
    speed: float = 1.0
    journal_limit: int = DEFAULT_LIMIT
    control_token: str | None = None
    token_required: bool = False
    cors: bool = False
