"""Replies through JavaScript clients: the Vercel AI SDK with OpenRouter's provider, PinMe's guide."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from .conftest import ServerFactory
from .node_sdk import ai_sdk, guide, node_sdk
from .test_replies import WEATHER_SCHEMA

PINME_QUESTION = "What is PinMe?"


def test_ai_sdk_reads_citations_as_sources(start_server: ServerFactory) -> None:
    server = start_server("web-search")
    body = {"model": "openai/gpt-5.2", "prompt": PINME_QUESTION, "webSearch": {"max_results": 5}}
    for mode in ("generate", "stream"):
        out = ai_sdk(server, mode, body)
        assert out["ok"], out["stderr"]
        assert [(s["url"], s["title"]) for s in out["sources"]] == [
            ("https://pinme.cloud/docs/workers", "PinMe Workers"),
            ("https://pinme.cloud/docs/llm", "PinMe LLM proxy"),
        ]
        assert "[pinme.cloud](https://pinme.cloud/docs/llm)" in out["text"]


def test_ai_sdk_plugin_search_and_generated_results(start_server: ServerFactory) -> None:
    body = {
        "model": "openai/gpt-4o-mini",
        "prompt": "fusion energy news",
        "webSearch": {"max_results": 3, "via": "plugin"},
    }
    out = ai_sdk(start_server(), "generate", body)
    assert out["ok"], out["stderr"]
    assert len(out["sources"]) == 3
    assert all(source["url"] in out["text"] for source in out["sources"])


def test_ai_sdk_tool_calls(start_server: ServerFactory) -> None:
    body = {
        "model": "openai/gpt-4o-mini",
        "prompt": "What is the weather in Oslo?",
        "tools": {"get_weather": {"description": "Weather for a city", "parameters": WEATHER_SCHEMA}},
    }
    for mode in ("generate", "stream"):
        out = ai_sdk(start_server("tool-calls"), mode, body)
        assert out["ok"], out["stderr"]
        (call,) = out["toolCalls"]
        assert call["toolName"] == "get_weather"
        arguments = call.get("input", call.get("args"))
        jsonschema.validate(arguments, WEATHER_SCHEMA)
        assert arguments["city"] == "Oslo"
        assert out["finishReason"] == "tool-calls"


def test_ai_sdk_reasoning(start_server: ServerFactory) -> None:
    body = {
        "model": "anthropic/claude-sonnet-4.5",
        "prompt": "Is 2+2 four?",
        "providerOptions": {"openrouter": {"reasoning": {"effort": "high"}}},
    }
    for mode in ("generate", "stream"):
        out = ai_sdk(start_server("reasoning"), mode, body)
        assert out["ok"], out["stderr"]
        assert (
            out["reasoning"]
            == "The question is: Is 2+2 four? I should answer briefly and check the facts first."
        )
        assert out["text"]


def test_guide_search_with_llm_gets_content_with_citations(start_server: ServerFactory) -> None:
    server = start_server("web-search")
    out = guide(server, "searchWithLLM", {"query": PINME_QUESTION})
    assert out["ok"], out["stderr"]
    assert "(https://pinme.cloud/docs/workers)" in out["result"]
    raw = guide(server, "searchWithLLMRaw", {"query": PINME_QUESTION})["result"]
    annotations = raw["choices"][0]["message"]["annotations"]
    assert [a["url_citation"]["url"] for a in annotations] == [
        "https://pinme.cloud/docs/workers",
        "https://pinme.cloud/docs/llm",
    ]
    assert raw["usage"]["server_tool_use_details"]["web_search_requests"] == 1


def test_node_openai_sdk_tool_call_stream(start_server: ServerFactory) -> None:
    body: dict[str, Any] = {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "weather in Rome?"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER_SCHEMA}}],
    }
    out = node_sdk(start_server(), "openai", "stream", body)
    assert out["ok"], out["stderr"]
    pieces = [
        tc for c in out["chunks"] if c["choices"] for tc in c["choices"][0]["delta"].get("tool_calls") or []
    ]
    assert pieces[0]["function"]["name"] == "get_weather" and pieces[0]["id"].startswith("call_")
    arguments = "".join(p["function"].get("arguments", "") for p in pieces)
    jsonschema.validate(json.loads(arguments), WEATHER_SCHEMA)


def test_openrouter_sdk_validates_tool_call_reasoning_and_citation_chunks(
    start_server: ServerFactory,
) -> None:
    server = start_server()
    requests: list[dict[str, Any]] = [
        {
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": "weather in Rome?"}],
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER_SCHEMA}}
            ],
        },
        {
            "model": "openai/gpt-5.2",
            "messages": [{"role": "user", "content": "hi"}],
            "reasoning": {"effort": "low"},
        },
        {
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": "news"}],
            "tools": [{"type": "openrouter:web_search", "parameters": {"max_results": 2}}],
        },
    ]
    for body in requests:
        for mode in ("chat", "stream"):
            out = node_sdk(server, "openrouter", mode, body)
            assert out["ok"], (body, mode, out["stderr"])
