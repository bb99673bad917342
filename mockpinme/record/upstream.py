"""Where the recorder forwards to, and with which credentials: PinMe as it is, or OpenRouter with
PinMe's ``X-API-Key``/``project_name`` turned into ``Authorization: Bearer`` with the upstream key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

KEY_ENV = "MOCKPINME_UPSTREAM_KEY"
Api = Literal["auto", "pinme", "openrouter"]
_FORWARDED = ("Content-Type", "Accept", "User-Agent", "HTTP-Referer", "X-Title")
RELAYED = ("Content-Type", "Cache-Control", "X-Generation-Id", "Retry-After", "X-RateLimit-Limit",
           "X-RateLimit-Remaining", "X-RateLimit-Reset")  # fmt: skip


class UpstreamError(ValueError):
    """An upstream the recorder cannot use (a bad URL, a missing key)."""


@dataclass(frozen=True)
class Upstream:
    """The real service: its base URL, whether it is OpenRouter itself, and then its key."""

    base: str
    openrouter: bool
    key: str | None = None

    @classmethod
    def of(cls, url: str, api: Api, environ: Mapping[str, str]) -> Upstream:
        """The upstream at ``url``; ``auto``: OpenRouter for ``openrouter.ai``, else PinMe."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UpstreamError(f"--upstream needs an http(s) URL, got {url!r}")
        host = parts.hostname or ""
        openrouter = api == "openrouter" or (
            api == "auto" and (host == "openrouter.ai" or host.endswith(".openrouter.ai"))
        )
        key = environ.get(KEY_ENV) or None
        if openrouter and key is None:
            raise UpstreamError(f"an OpenRouter upstream needs its key in ${KEY_ENV}")
        return cls(f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}", openrouter, key)

    def url(self, path: str) -> str:
        return self.base + path

    def query(self, query: Mapping[str, str]) -> dict[str, str]:
        """The query string to send: OpenRouter has no ``project_name``."""
        return {k: v for k, v in query.items() if not (self.openrouter and k == "project_name")}

    def headers(self, incoming: Mapping[str, str]) -> dict[str, str]:
        """The headers to send: content negotiation, the app's attribution, and the credential
        (cookies and everything else stay behind)."""
        out = {name: incoming[name] for name in _FORWARDED if name in incoming}
        if self.openrouter:
            out["Authorization"] = f"Bearer {self.key}"
        elif "X-API-Key" in incoming:
            out["X-API-Key"] = incoming["X-API-Key"]
        return out


def relayed(headers: Mapping[str, str]) -> dict[str, str]:
    """The upstream's response headers worth passing on (framing and cookies are not)."""
    return {name: headers[name] for name in RELAYED if name in headers}
