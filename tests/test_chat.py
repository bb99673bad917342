"""POST /api/v1/chat/completions through the openai SDK: OpenRouter's JSON and SSE shapes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import openai

from mockpinme import MockPinme

from .conftest import HELLO, KEY, ServerFactory, chat_url, sdk

GEN_ID = re.compile(r"^gen-\d{10}-[A-Za-z0-9]{20}$")


def test_json_reply_has_every_key_of_openrouter(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model="openai/gpt-4o-mini", messages=HELLO)
    assert GEN_ID.match(raw.headers["x-generation-id"])
    body = raw.http_response.json()
    assert list(body) == [
        "id", "object", "created", "model", "provider", "system_fingerprint", "service_tier",
        "choices", "usage",
    ]  # fmt: skip
    assert body["system_fingerprint"] is None
    assert body["id"] == raw.headers["x-generation-id"]
    assert body["object"] == "chat.completion"
    assert (body["model"], body["provider"]) == ("openai/gpt-4o-mini", "OpenAI")
    (choice,) = body["choices"]
    assert list(choice) == ["index", "logprobs", "finish_reason", "native_finish_reason", "message"]
    assert (choice["finish_reason"], choice["native_finish_reason"]) == ("stop", "stop")
    assert list(choice["message"]) == ["role", "content", "refusal", "reasoning"]
    assert choice["message"]["content"]
    usage = body["usage"]
    assert list(usage) == [
        "prompt_tokens", "completion_tokens", "total_tokens", "cost", "is_byok",
        "prompt_tokens_details", "cost_details", "completion_tokens_details",
    ]  # fmt: skip
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["cost_details"]["upstream_inference_cost"] == usage["cost"]
    completion = raw.parse()
    assert completion.choices[0].message.content == choice["message"]["content"]


def _usage_cost(usage: dict[str, Any], prompt: str, completion: str) -> Decimal:
    return Decimal(prompt) * usage["prompt_tokens"] + Decimal(completion) * usage["completion_tokens"]


def test_cost_follows_the_model_prices(http: httpx.Client) -> None:
    body = {"model": "anthropic/claude-sonnet-4.5", "messages": HELLO}
    usage = http.post(chat_url(), json=body).json()["usage"]
    expected = _usage_cost(usage, "0.000003", "0.000015")
    assert abs(Decimal(str(usage["cost"])) - expected) < Decimal("1e-12")
    assert usage["cost"] > 0


def test_long_prompts_cost_more_and_switch_to_override_prices(http: httpx.Client) -> None:
    long_text = "a " * 201_000
    body = {"model": "anthropic/claude-sonnet-4.5", "messages": [{"role": "user", "content": long_text}]}
    usage = http.post(chat_url(), json=body).json()["usage"]
    assert usage["prompt_tokens"] >= 200_000
    expected = _usage_cost(usage, "0.000006", "0.0000225")
    assert abs(Decimal(str(usage["cost"])) - expected) < Decimal("1e-9")


def test_prompt_tokens_grow_with_the_prompt(http: httpx.Client) -> None:
    def prompt_tokens(messages: list[dict[str, Any]], **extra: Any) -> int:
        body = {"model": "openai/gpt-4o-mini", "messages": messages, **extra}
        return int(http.post(chat_url(), json=body).json()["usage"]["prompt_tokens"])

    short = prompt_tokens(HELLO)
    longer = prompt_tokens([{"role": "user", "content": "Hello! " * 50}])
    parts = prompt_tokens([{"role": "user", "content": [{"type": "text", "text": "Hello! " * 50}]}])
    assert short < longer == parts


def test_same_request_same_reply_new_ids(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    second = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    other = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Something else"}]
    )
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.usage == second.usage
    assert first.id != second.id
    assert other.choices[0].message.content != first.choices[0].message.content


def test_seed_changes_the_text(start_server: ServerFactory) -> None:
    texts = []
    for seed in (1, 1, 2):
        client = sdk(start_server(seed=seed))
        reply = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
        texts.append(reply.choices[0].message.content)
    assert texts[0] == texts[1] != texts[2]


def test_stream_through_the_sdk_equals_the_json_reply(client: openai.OpenAI) -> None:
    body = {"model": "anthropic/claude-haiku-4.5", "messages": HELLO}
    whole = client.chat.completions.create(**body)
    chunks = list(client.chat.completions.create(**body, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3
    assert len({c.id for c in chunks}) == 1 and chunks[0].id != whole.id
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finish] == ["stop", "stop"]
    assert [c.choices[0].native_finish_reason for c in finish] == ["end_turn", "end_turn"]  # type: ignore[attr-defined]
    usage_chunk = chunks[-1]
    assert usage_chunk.choices[0].delta.content == "" and usage_chunk.usage == whole.usage
    assert [c for c in chunks if c.usage] == [usage_chunk]


def test_raw_stream_is_framed_like_openrouter(server: MockPinme) -> None:
    body = {"model": "openai/gpt-4o-mini", "messages": HELLO, "stream": True}
    with httpx.stream("POST", server.url_for(chat_url()), json=body, headers={"X-API-Key": KEY}) as response:
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-cache"
        assert GEN_ID.match(response.headers["x-generation-id"])
        text = response.read().decode()
    events = text.split("\n\n")
    assert events[0] == ": OPENROUTER PROCESSING"
    assert events[-2:] == ["data: [DONE]", ""]
    data = [e for e in events if e.startswith("data: {")]
    assert all('"role":"assistant"' in e and '"system_fingerprint"' not in e for e in data)
    assert '"finish_reason":"stop"' in data[-1] and '"usage":{' in data[-1]
    assert all(
        e.index('"id"')
        < e.index('"object"')
        < e.index('"created"')
        < e.index('"model"')
        < e.index('"provider"')
        for e in data
    )


def test_model_can_be_left_out(client: openai.OpenAI) -> None:
    raw = client.with_options().post("/chat/completions", body={"messages": HELLO}, cast_to=httpx.Response)
    assert raw.json()["model"] == "openai/gpt-4o-mini"


def test_speed_zero_and_real_time_send_the_same_bytes(start_server: ServerFactory) -> None:
    body = {"model": "openai/gpt-4o-mini", "messages": HELLO, "stream": True}
    scenario = {"stream": {"ttft_ms": 30, "keepalive_ms": 10, "chunk_delay_ms": 1}}
    streams = []
    for speed in (0, 1):
        server = start_server(scenario, speed=speed)
        response = httpx.post(server.url_for(chat_url()), json=body, headers={"X-API-Key": KEY})
        streams.append(re.sub(r"gen-\d+-\w{20}|\"created\":\d+", "", response.text))
    assert streams[0] == streams[1]
    assert streams[0].count(": OPENROUTER PROCESSING") == 3


def test_scripted_text_that_looks_like_an_id_comes_back_as_written(start_server: ServerFactory) -> None:
    looks_like_ids = 'gen-0000000000-@@@@@@@@@@@@@@@@@@@@ "created":9999999999 call_@@@@@@@@@@@@@@@@@@@@@@00'
    server = start_server(
        {
            "rules": [
                {
                    "respond": {
                        "tool_calls": [{"name": "echo", "arguments": {"text": looks_like_ids}}],
                    },
                    "when": {"has_tools": True},
                },
                {"respond": {"content": looks_like_ids}},
            ]
        }
    )
    client = sdk(server)
    reply = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    assert reply.choices[0].message.content == looks_like_ids
    assert GEN_ID.match(reply.id) and reply.created < 9_999_999_999
    streamed = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO, stream=True)
    chunks = list(streamed)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == looks_like_ids
    assert {c.id for c in chunks} == {chunks[0].id} and GEN_ID.match(chunks[0].id)
    tool = {"type": "function", "function": {"name": "echo", "parameters": {"type": "object"}}}
    called = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO, tools=[tool])
    (call,) = called.choices[0].message.tool_calls or []
    assert call.function.arguments == f'{{"text": "{looks_like_ids.replace(chr(34), chr(92) + chr(34))}"}}'
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call.id)
