"""The Python API: start and stop, clear, per-rule calls, client options, the journal entry type."""

from __future__ import annotations

import httpx
import openai
import pytest

from mockpinme import CallList, Entry, MockPinme

from .conftest import HELLO, KEY, ServerFactory, chat_url

RULES = {
    "rules": [
        {"name": "greeting", "when": {"last_user": "Hello"}, "respond": {"content": "Hi there"}},
        {"name": "weather", "when": {"last_user": "weather"}, "respond": {"content": "Sunny"}},
    ]
}


def ask(server: MockPinme, text: str) -> httpx.Response:
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": text}]}
    return httpx.post(server.url_for(chat_url()), json=body, headers={"X-API-Key": KEY})


def test_start_refuses_a_running_server_and_stop_allows_a_restart_on_the_same_port() -> None:
    server = MockPinme(speed=0)
    assert not server.is_running
    server.start()
    try:
        assert server.is_running
        port = server.port
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        server.stop()
        assert not server.is_running
        with pytest.raises(httpx.ConnectError):
            httpx.get(server.url_for("/__mockpinme/health"))
        server.start()
        assert server.port == port
        assert httpx.get(server.url_for("/__mockpinme/health")).status_code == 200
    finally:
        server.stop()


async def test_async_with_serves_in_the_running_loop() -> None:
    async with MockPinme(speed=0) as server:
        assert server.is_running
        async with httpx.AsyncClient() as client:
            response = await client.get(server.url_for("/__mockpinme/health"))
        assert response.json()["status"] == "ok"
    assert not server.is_running


def test_per_rule_calls_and_all_rules_used(start_server: ServerFactory) -> None:
    server = start_server(RULES)
    ask(server, "Hello!")
    ask(server, "Hello again")
    greeting = server.rule("greeting")
    assert (greeting.called, greeting.call_count) == (True, 2)
    assert greeting.last is not None and greeting.last.json["messages"][0]["content"] == "Hello again"
    assert not server.rule("weather").called and server.rule("weather").last is None
    with pytest.raises(AssertionError, match="rules never used: weather"):
        server.assert_all_rules_used()
    ask(server, "And the weather?")
    server.assert_all_rules_used()
    with pytest.raises(KeyError, match="greeting, weather"):
        server.rule("nope")


def test_clear_empties_the_journal_and_restarts_sequences(start_server: ServerFactory) -> None:
    server = start_server({"rules": [{"respond": [{"content": "one"}, {"content": "two"}]}]})
    assert ask(server, "x").json()["choices"][0]["message"]["content"] == "one"
    assert server.requests.call_count == 1
    server.clear()
    assert not server.requests.called and server.last_request is None
    assert ask(server, "x").json()["choices"][0]["message"]["content"] == "one"


def test_client_options_reach_the_server_as_pinme(start_server: ServerFactory) -> None:
    server = start_server(RULES)
    client = openai.OpenAI(**server.client_options(key="my-key", project="my project"), max_retries=0)
    reply = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    assert reply.choices[0].message.content == "Hi there"
    entry = server.last_request
    assert isinstance(entry, Entry) and isinstance(server.requests, CallList)
    assert (entry.api_key, entry.query["project_name"], entry.rule) == ("my-key", "my project", "greeting")
