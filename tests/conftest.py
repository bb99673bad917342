"""Shared fixtures: a real mockpinme on 127.0.0.1:0 and clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import openai
import pytest

from mockpinme import MockPinme

KEY = "test-key"
PROJECT = "demo"

ServerFactory = Callable[..., MockPinme]


@pytest.fixture
def start_server() -> Iterator[ServerFactory]:
    """Start servers on demand (scenario, seed, speed); all stop at the end of the test."""
    started: list[MockPinme] = []

    def start(scenario: Any = "default", **options: Any) -> MockPinme:
        options.setdefault("speed", 0)
        server = MockPinme(scenario, **options)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        server.check()


@pytest.fixture
def server(start_server: ServerFactory) -> MockPinme:
    """The default scenario at speed 0."""
    return start_server()


def sdk(
    server: MockPinme,
    key: str = KEY,
    project: str | None = PROJECT,
    headers: dict[str, str] | None = None,
    **options: Any,
) -> openai.OpenAI:
    """The openai SDK set up the way PinMe needs: X-API-Key header and project_name query."""
    return openai.OpenAI(
        base_url=server.url_for("/api/v1"),
        api_key="unused",
        default_headers={**({"X-API-Key": key} if key else {}), **(headers or {})},
        default_query={"project_name": project} if project is not None else {},
        max_retries=options.pop("max_retries", 0),
        **options,
    )


@pytest.fixture
def client(server: MockPinme) -> openai.OpenAI:
    """The openai SDK pointed at the default server."""
    return sdk(server)


@pytest.fixture
def http(server: MockPinme) -> Iterator[httpx.Client]:
    """A plain HTTP client for the default server, with PinMe's key header."""
    with httpx.Client(base_url=server.base_url, headers={"X-API-Key": KEY}) as session:
        yield session


def chat_url(project: str = PROJECT) -> str:
    return f"/api/v1/chat/completions?project_name={project}"


HELLO = [{"role": "user", "content": "Hello!"}]
