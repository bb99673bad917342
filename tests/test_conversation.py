"""``when.conversation`` and the keys a recorded reply uses, against a real server; ``models.catalog``
naming a saved listing; a recorded stream's timing as a profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mockpinme import load_scenario
from mockpinme.record.exchange import Event
from mockpinme.record.profile import stream_profile
from mockpinme.scenario import ScenarioError

from .conftest import KEY, ServerFactory, chat_url

EMAIL = r"[a-z]+@[a-z]+\.[a-z]+"
SCENARIO: dict[str, Any] = {
    "strict": True,
    "rules": [
        {
            "name": "weather-answer",
            "when": {
                "model": "openai/gpt-4o-mini",
                "conversation": {
                    "messages": [
                        {"role": "user", "content": "Weather in Paris? Mail {email_1}"},
                        {
                            "role": "assistant",
                            "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}],
                        },
                        {"role": "tool", "content": '{"temp_c": 21}'},
                    ],
                    "tools": [{"type": "function", "function": {"name": "get_weather"}}],
                    "placeholders": {"email_1": EMAIL},
                },
            },
            "respond": {
                "content": "21 °C in Paris; sent to {email_1} for {model}.",
                "finish_reason": "stop",
                "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.5},
                "provider": "Azure",
                "model": "openai/gpt-4o-mini-2024-07-18",
            },
        },
        {
            "name": "twice",
            "when": {
                "conversation": {
                    "messages": [{"role": "user", "content": "{email_1} and {email_1}"}],
                    "placeholders": {"email_1": EMAIL},
                }
            },
            "respond": {"content": "same"},
        },
    ],
}
TOOLS = [{"type": "function", "function": {"name": "get_weather"}}]


def _messages(email: str, arguments: str, call_id: str) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": f"Weather in Paris? Mail {email}"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": '{"temp_c": 21}'},
    ]


def _post(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return http.post(chat_url(), json={"model": "openai/gpt-4o-mini", **body}, headers={"X-API-Key": KEY})


def test_a_conversation_matches_whole_ignoring_ids_and_spacing(start_server: ServerFactory) -> None:
    server = start_server(SCENARIO)
    with httpx.Client(base_url=server.base_url) as http:
        for call_id, arguments in (("call_a", '{"city":"Paris"}'), ("call_zz", '{ "city" : "Paris" }')):
            reply = _post(
                http, {"messages": _messages("ann@example.org", arguments, call_id), "tools": TOOLS}
            )
            assert reply.status_code == 200, reply.text
            body = reply.json()
            assert (
                body["choices"][0]["message"]["content"]
                == "21 °C in Paris; sent to ann@example.org for {model}."
            )
            assert body["usage"] == SCENARIO["rules"][0]["respond"]["usage"]
            assert (body["provider"], body["model"]) == ("Azure", "openai/gpt-4o-mini-2024-07-18")

        streamed = _post(
            http, {"messages": _messages("bo@example.org", "{}", "x"), "tools": TOOLS, "stream": True}
        )
        assert streamed.status_code == 400, "other arguments: no match"
        assert (
            "failed on: conversation (message 2 (assistant) differs)" in streamed.json()["error"]["message"]
        )
        no_tools = _post(http, {"messages": _messages("ann@example.org", '{"city":"Paris"}', "c")})
        assert "conversation (tools differ)" in no_tools.json()["error"]["message"]
        shorter = _post(
            http, {"messages": _messages("ann@example.org", '{"city":"Paris"}', "c")[:1], "tools": TOOLS}
        )
        assert shorter.status_code == 400
        assert "conversation (the request's 1 messages agree, it has 3)" in shorter.json()["error"]["message"]

        same = _post(http, {"messages": [{"role": "user", "content": "a@b.co and a@b.co"}]})
        assert same.json()["choices"][0]["message"]["content"] == "same"
        other = _post(http, {"messages": [{"role": "user", "content": "a@b.co and c@d.co"}]})
        assert other.status_code == 400, "one placeholder stands for one text"


def test_a_conversation_must_have_roles_and_placeholder_names(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    bad = {
        "rules": [{"when": {"conversation": {"messages": [{"content": "x"}], "placeholders": {"a-b": "x"}}}}]
    }
    bad["rules"][0]["respond"] = {"content": "x"}
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert "rules[0].when.conversation.messages: message 1 needs a 'role'" in text
    assert "'a-b' is not a placeholder name" in text


def test_models_catalog_names_a_saved_listing(tmp_path: Path, start_server: ServerFactory) -> None:
    listing = {
        "data": [
            {"id": "acme/rocket-1", "name": "Acme: Rocket 1", "pricing": {"prompt": "0", "completion": "0"}}
        ]
    }
    (tmp_path / "saved.json").write_text(json.dumps(listing))
    (tmp_path / "s.yaml").write_text("models: {catalog: saved.json}\n")
    server = start_server(tmp_path / "s.yaml")
    with httpx.Client(base_url=server.base_url, headers={"X-API-Key": KEY}) as http:
        assert [m["id"] for m in http.get("/api/v1/models").json()["data"]] == ["acme/rocket-1"]
        ok = http.post(
            chat_url(), json={"model": "acme/rocket-1", "messages": [{"role": "user", "content": "hi"}]}
        )
        assert ok.status_code == 200
        gone = http.post(
            chat_url(), json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]}
        )
        assert gone.status_code == 400
    (tmp_path / "t.yaml").write_text("models: {catalog: missing.json}\n")
    with pytest.raises(ScenarioError, match=r"models.catalog: cannot read catalog file .*missing.json"):
        start_server(tmp_path / "t.yaml")


def _chunk(content: str) -> str:
    return json.dumps({"choices": [{"delta": {"content": content}}]})


def test_a_recorded_streams_timing_becomes_its_profile() -> None:
    events = [
        Event(0.0, True),
        Event(0.1, True),
        Event(0.2, True),
        Event(0.5, False, _chunk("Hello there")),
        Event(0.6, False, _chunk(" my friend")),
        Event(0.9, False, _chunk(" again")),
        Event(0.9, False, json.dumps({"choices": [{"delta": {}, "finish_reason": "stop"}]})),
        Event(0.9, False, "[DONE]"),
    ]
    profile = stream_profile(events, {"content": "Hello there my friend again"})
    assert profile["ttft_ms"] == 500 and profile["keepalive_ms"] == 100 and profile["search_ms"] == 0
    assert profile["chunk"] == "word"
    assert profile["chunk_delay_ms"] == 80.0, "400 ms over 5 words"
    uneven = [
        Event(0.0, False, _chunk("a")),
        *(Event(t, False, _chunk(" b")) for t in (0.01, 0.2, 0.21, 1.0)),
    ]
    spread = stream_profile(uneven, {"content": "a b b b b"})["chunk_delay_ms"]["lognormal"]
    assert 0 < spread["median"] < 200 < spread["max"] and spread["sigma"] > 1
