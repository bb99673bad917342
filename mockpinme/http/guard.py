"""Who may reach the control API: a local ``Host`` (or one given with ``--allow-host``), and for
calls that change state no ``Origin`` but a local one (a page on another site cannot drive it)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _name(host: str) -> str:
    """``host[:port]`` without its port, lower case (IPv6 keeps its brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end > 0 else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host: str | None, allowed: Iterable[str] = ()) -> bool:
    """Is the request's ``Host`` this machine (any port), or a name given with ``--allow-host``?"""
    if not host:
        return False
    name = _name(host)
    return name in LOCAL_HOSTS or name in {a.lower() for a in allowed}


def origin_allowed(origin: str | None, allowed: Iterable[str] = ()) -> bool:
    """No ``Origin`` (curl, SDKs, tests), or an ``http(s)`` page on a local or allowed host."""
    if origin is None:
        return True
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and host_allowed(parts.netloc, allowed)
