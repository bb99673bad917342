"""The compatibility table of the README, cell by cell: each client against one real server.

The Node clients run in two batches (one Node start each); every job picks its scenario with the
``X-Mockpinme-Scenario`` header, so one server serves them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import openai
import pytest

from mockpinme import MockPinme

from .conftest import KEY, PROJECT, sdk
from .node_sdk import node_script
from .test_replies import WEATHER_SCHEMA

HI = [{"role": "user", "content": "Hello there"}]
WEATHER_Q = [{"role": "user", "content": "What is the weather in Oslo?"}]
SEARCH_Q = [{"role": "user", "content": "What is PinMe?"}]
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER_SCHEMA}}
SEARCH_TOOL = {"type": "openrouter:web_search", "parameters": {"max_results": 3, "max_total_results": 5}}
CITED = ["https://pinme.cloud/docs/workers", "https://pinme.cloud/docs/llm"]

FAILURES = {
    "low-balance": 403,
    "llm-disabled": 403,
    "not-configured": 400,
    "invalid-key": 401,
    "key-mismatch": 401,
    "upstream-down": 502,
    "proxy-error": 500,
    "insufficient-credits": 402,
    "moderation": 403,
    "provider-error": 502,
    "no-provider": 503,
    "timeout": 408,
}
PINME_ERRORS = set(list(FAILURES)[:7])

REQUESTS: dict[str, tuple[str | None, dict[str, Any]]] = {
    "chat": (None, {"model": "openai/gpt-4o-mini", "messages": HI}),
    "tools": ("tool-calls", {"model": "openai/gpt-4o-mini", "messages": WEATHER_Q, "tools": [WEATHER_TOOL]}),
    "search": ("web-search", {"model": "openai/gpt-5.2", "messages": SEARCH_Q, "tools": [SEARCH_TOOL]}),
    "reasoning": ("reasoning", {"model": "openai/gpt-5.2", "messages": HI, "reasoning": {"effort": "low"}}),
    "midstream": ("mid-stream-error", {"model": "openai/gpt-4o-mini", "messages": HI}),
}


def _ai_sdk_body(body: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {"model": body["model"], "messages": body["messages"]}
    for tool in body.get("tools", []):
        if tool["type"] == "function":
            function = tool["function"]
            converted.setdefault("tools", {})[function["name"]] = {"parameters": function["parameters"]}
        else:
            converted["webSearch"] = tool["parameters"]
    if "reasoning" in body:
        converted["reasoning"] = body["reasoning"]
    return converted


@pytest.fixture(scope="module")
def results() -> Iterator[dict[str, Any]]:
    """Every client's answer to every request, keyed ``(client, request, mode)``."""
    with MockPinme("default", speed=0) as server:
        jobs: list[dict[str, Any]] = []
        keys: list[tuple[str, str, str]] = []
        for sdk_name, client in (("openai", "openai-node"), ("openrouter", "openrouter-sdk")):
            jobs.append({"sdk": sdk_name, "mode": "models"})
            keys.append((client, "models", "list"))
            for name, (scenario, body) in [
                *REQUESTS.items(),
                *((f, (f, REQUESTS["chat"][1])) for f in FAILURES),
            ]:
                for mode in ("chat", "stream"):
                    jobs.append({"sdk": sdk_name, "mode": mode, "body": body, "scenario": scenario})
                    keys.append((client, name, mode))
        found = dict(zip(keys, node_script(server, ["client.mjs", "batch"], jobs), strict=True))
        ai_jobs, ai_keys = [], []
        for name, (scenario, body) in [*REQUESTS.items(), *((f, (f, REQUESTS["chat"][1])) for f in FAILURES)]:
            for mode in ("generate", "stream"):
                ai_jobs.append({"mode": mode, "body": _ai_sdk_body(body), "scenario": scenario})
                ai_keys.append(("ai-sdk", name, "chat" if mode == "generate" else "stream"))
        found.update(zip(ai_keys, node_script(server, ["aisdk.mjs", "batch"], ai_jobs), strict=True))
        found["reference"] = {
            name: httpx.post(
                server.url_for(f"/api/v1/chat/completions?project_name={PROJECT}"),
                json=body,
                headers={"X-API-Key": KEY, **({"X-Mockpinme-Scenario": s} if s else {})},
            ).json()
            for name, (s, body) in REQUESTS.items()
            if name != "midstream"
        }
        found["server"] = server
        yield found


def _py(
    results: dict[str, Any], scenario: str | None, *, headers: dict[str, str] | None = None
) -> openai.OpenAI:
    server: MockPinme = results["server"]
    return sdk(
        server, headers={**({"X-Mockpinme-Scenario": scenario} if scenario else {}), **(headers or {})}
    )


def _node_tool_call(out: dict[str, Any], mode: str, camel: bool) -> tuple[str, dict[str, Any]]:
    calls_key = "toolCalls" if camel else "tool_calls"
    if mode == "chat":
        call = out["result"]["choices"][0]["message"][calls_key][0]
        return call["function"]["name"], json.loads(call["function"]["arguments"])
    pieces = [p for c in out["chunks"] if c["choices"] for p in c["choices"][0]["delta"].get(calls_key) or []]
    arguments = "".join(p["function"].get("arguments", "") for p in pieces)
    return pieces[0]["function"]["name"], json.loads(arguments)


def check_cell(results: dict[str, Any], client: str, feature: str) -> None:
    reference = results["reference"]
    chat_text = reference["chat"]["choices"][0]["message"]["content"]
    if client == "openai-python":
        python_cell(results, feature, chat_text)
        return
    camel = client == "openrouter-sdk"
    get = lambda name, mode: results[(client, name, mode)]  # noqa: E731
    if feature == "models":
        out = get("models", "list")
        assert out["ok"], out
        ids = [m["id"] for m in out["result"]["data"]]
        assert "openai/gpt-5.2" in ids and len(ids) >= 12
    elif feature == "chat":
        out = get("chat", "chat")
        assert out["ok"] and (out["content"] if client != "ai-sdk" else out["text"]) == chat_text
    elif feature == "stream":
        out = get("chat", "stream")
        assert out["ok"] and (out["content"] if client != "ai-sdk" else out["text"]) == chat_text
    elif feature == "tool calls":
        for mode in ("chat", "stream"):
            out = get("tools", mode)
            assert out["ok"], out
            if client == "ai-sdk":
                name, arguments = out["toolCalls"][0]["toolName"], out["toolCalls"][0]["input"]
            else:
                name, arguments = _node_tool_call(out, mode, camel)
            assert name == "get_weather" and arguments["city"] == "Oslo"
            jsonschema.validate(arguments, WEATHER_SCHEMA)
    elif feature == "web-search citations":
        for mode in ("chat", "stream"):
            out = get("search", mode)
            assert out["ok"], out
            if client == "ai-sdk":
                assert [s["url"] for s in out["sources"]] == CITED
            elif client == "openai-node" and mode == "chat":
                annotations = out["result"]["choices"][0]["message"]["annotations"]
                assert [a["url_citation"]["url"] for a in annotations] == CITED
            elif client == "openai-node":
                first = out["chunks"][0]["choices"][0]["delta"]["annotations"]
                assert [a["url_citation"]["url"] for a in first] == CITED
            else:
                text = out["content"]
                assert all(f"]({url})" in text for url in CITED)
    elif feature == "reasoning":
        expected = reference["reasoning"]["choices"][0]["message"]["reasoning"]
        for mode in ("chat", "stream"):
            out = get("reasoning", mode)
            assert out["ok"], out
            if client == "ai-sdk":
                assert out["reasoning"] == expected
            elif mode == "chat":
                assert out["result"]["choices"][0]["message"]["reasoning"] == expected
            else:
                assert (
                    "".join(
                        c["choices"][0]["delta"].get("reasoning") or "" for c in out["chunks"] if c["choices"]
                    )
                    == expected
                )
    elif feature == "errors":
        for scenario, status in FAILURES.items():
            for mode in ("chat", "stream"):
                out = get(scenario, mode)
                assert not out["ok"], (scenario, mode)
                if client == "ai-sdk":
                    assert out["error"]["statusCode"] == status, (scenario, out["error"])
                else:
                    assert out["error"]["status"] == status, (scenario, out["error"])
                typed = out["error"]["name"] not in ("ResponseValidationError", "Error")
                if client == "openrouter-sdk":
                    assert typed == (scenario not in PINME_ERRORS), (scenario, out["error"])
                elif client == "openai-node":
                    assert typed, (scenario, out["error"])
                elif scenario in PINME_ERRORS:
                    assert out["error"]["name"] == "AI_APICallError"
    elif feature == "mid-stream error":
        out = get("midstream", "stream")
        if client == "openai-node":
            assert out["error"]["name"] == "APIError" and out["error"]["message"] == "Provider disconnected"
        elif client == "openrouter-sdk":
            assert out["ok"] and out["chunks"][-1]["error"]["message"] == "Provider disconnected"
        else:
            assert out["error"]["message"] == "Provider disconnected"
    else:
        raise AssertionError(feature)


def python_cell(results: dict[str, Any], feature: str, chat_text: str) -> None:
    if feature == "models":
        assert "openai/gpt-5.2" in [m.id for m in _py(results, None).models.list()]
    elif feature == "chat":
        assert (
            _py(results, None).chat.completions.create(**REQUESTS["chat"][1]).choices[0].message.content
            == chat_text
        )
    elif feature == "stream":
        chunks = _py(results, None).chat.completions.create(**REQUESTS["chat"][1], stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == chat_text
    elif feature == "tool calls":
        reply = _py(results, "tool-calls").chat.completions.create(**REQUESTS["tools"][1])
        call = (reply.choices[0].message.tool_calls or [])[0]
        assert call.function.name == "get_weather" and json.loads(call.function.arguments)["city"] == "Oslo"
    elif feature == "web-search citations":
        scenario, body = REQUESTS["search"]
        reply = _py(results, scenario).chat.completions.create(**body)
        annotations = reply.choices[0].message.annotations or []
        assert [a.url_citation.url for a in annotations] == CITED
    elif feature == "reasoning":
        scenario, body = REQUESTS["reasoning"]
        plain = {k: v for k, v in body.items() if k != "reasoning"}
        reply = _py(results, scenario).chat.completions.create(
            **plain, extra_body={"reasoning": body["reasoning"]}
        )
        assert reply.choices[0].message.reasoning  # type: ignore[attr-defined]
    elif feature == "errors":
        for scenario, status in FAILURES.items():
            with pytest.raises(openai.APIStatusError) as caught:
                _py(results, scenario).chat.completions.create(**REQUESTS["chat"][1])
            assert caught.value.status_code == status
    elif feature == "mid-stream error":
        with pytest.raises(openai.APIError, match="Provider disconnected"):
            list(_py(results, "mid-stream-error").chat.completions.create(**REQUESTS["chat"][1], stream=True))


CLIENTS = ["openai-python", "openai-node", "openrouter-sdk", "ai-sdk"]
FEATURES = [
    "models",
    "chat",
    "stream",
    "tool calls",
    "web-search citations",
    "reasoning",
    "errors",
    "mid-stream error",
]
CELLS = [(c, f) for c in CLIENTS for f in FEATURES if not (c == "ai-sdk" and f == "models")]


@pytest.mark.parametrize(("client", "feature"), CELLS)
def test_compatibility(results: dict[str, Any], client: str, feature: str) -> None:
    check_cell(results, client, feature)
