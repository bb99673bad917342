"""How a server was started: what no request can change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..scenario.access import Access
from .journal import DEFAULT_LIMIT

HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
IDLE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Settings:
    """A server's fixed configuration."""

    seed: int | None = None
    speed: float = 1.0
    journal_limit: int = DEFAULT_LIMIT
    control_token: str | None = None
    token_required: bool = False
    cors: bool = False
    scenarios_dirs: tuple[Path, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    header_timeout_s: float = HEADER_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S
    idle_timeout_s: float = IDLE_TIMEOUT_S

    def __post_init__(self) -> None:
        if min(self.header_timeout_s, self.body_timeout_s, self.idle_timeout_s) <= 0:
            raise ValueError("timeouts must be > 0")

    @property
    def access(self) -> Access:
        """Which scenario files requests may load (see :mod:`mockpinme.scenario.access`)."""
        return Access.of(self.scenarios_dirs)
