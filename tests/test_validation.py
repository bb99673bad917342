"""OpenRouter's request validation: the published request schema, Zod-style 400s, what the model
can take (content parts by input modality, tools), models that do not chat."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockpinme import MockPinme
from mockpinme.engine import validation

from .conftest import KEY, ServerFactory, chat_url
from .shapes import exchanges

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "reference" / "openrouter-openapi.yaml"
HI = [{"role": "user", "content": "Hello"}]


def post(server: MockPinme, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(server.url_for(chat_url()), json=body, headers={"X-API-Key": KEY})


def issues(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == 400
    found: list[dict[str, Any]] = json.loads(error["message"])
    return found


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"messages": [{"role": "wizard", "content": "x"}]}, "invalid_union", ["messages", 0, "role"]),
        ({"messages": HI, "tools": [{"type": "function"}]}, "invalid_type", ["tools", 0, "function"]),
        (
            {"messages": HI, "response_format": {"type": "bogus"}},
            "invalid_union",
            ["response_format", "type"],
        ),
        ({"messages": HI, "reasoning": {"effort": "huge"}}, "invalid_value", ["reasoning", "effort"]),
        ({"messages": HI, "temperature": "hot"}, "invalid_type", ["temperature"]),
        ({"messages": [{"role": "user"}]}, "invalid_type", ["messages", 0, "content"]),
        ({"messages": HI, "stop": ["a", "b", "c", "d", "e"]}, "invalid_union", ["stop"]),
    ],
)
def test_bad_requests_get_openrouters_400(
    server: MockPinme, body: dict[str, Any], code: str, path: list[Any]
) -> None:
    found = issues(post(server, {"model": "openai/gpt-4o-mini", **body}))
    assert (found[0]["code"], found[0]["path"]) == (code, path)
    assert found[0]["message"]


def test_every_recorded_request_passes_validation() -> None:
    for name, interaction in exchanges():
        assert validation.check(interaction["request"]["parsed_body"]) == [], name


def test_server_tools_and_legacy_fields_are_accepted(server: MockPinme) -> None:
    advisor = {"type": "openrouter:advisor", "parameters": {"model": "~anthropic/claude-opus-latest"}}
    body = {"model": "openai/gpt-4o-mini", "messages": HI, "tools": [advisor], "transforms": ["middle-out"]}
    response = post(server, body)
    assert response.status_code == 200, response.text
    details = response.json()["usage"]["server_tool_use_details"]
    assert details == {"tool_calls_requested": 1, "tool_calls_executed": 1}
    usage = response.json()["usage"]
    assert usage["cost"] > usage["cost_details"]["upstream_inference_cost"]


def test_content_parts_follow_the_models_input_modalities(server: MockPinme) -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    parts = [{"type": "text", "text": "What is this?"}, image]
    text_only = post(
        server, {"model": "deepseek/deepseek-chat", "messages": [{"role": "user", "content": parts}]}
    )
    assert text_only.status_code == 404
    assert text_only.json()["error"]["message"] == "No endpoints found that support image input"
    seeing = post(server, {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": parts}]})
    plain = post(
        server, {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": parts[:1]}]}
    )
    assert seeing.status_code == plain.status_code == 200
    assert seeing.json()["usage"]["prompt_tokens"] > plain.json()["usage"]["prompt_tokens"]
    audio = {"type": "input_audio", "input_audio": {"data": "UklGR" * 4000, "format": "wav"}}
    heard = post(
        server, {"model": "google/gemini-2.5-flash", "messages": [{"role": "user", "content": [audio]}]}
    )
    assert heard.status_code == 200 and heard.json()["usage"]["prompt_tokens_details"]["audio_tokens"] > 0


def test_models_that_do_not_chat_get_openrouters_error(server: MockPinme) -> None:
    response = post(server, {"model": "openai/text-embedding-3-small", "messages": HI})
    assert response.status_code == 400
    assert "/api/v1/embeddings" in response.json()["error"]["message"]


def test_the_shipped_schema_is_extracted_from_the_spec() -> None:
    if not SPEC.exists():
        pytest.skip(f"OpenRouter's spec is not beside the checkout ({SPEC})")
    import importlib.util

    spec = importlib.util.spec_from_file_location("extract", ROOT / "tools" / "extract_request_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render(SPEC) == validation.SCHEMA_FILE.read_text(encoding="utf-8")


def test_reasoning_follows_each_entry(start_server: ServerFactory) -> None:
    server = start_server()
    unasked = post(server, {"model": "openai/gpt-5-mini", "messages": HI}).json()
    assert unasked["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    details = unasked["choices"][0]["message"]["reasoning_details"]
    assert [d["type"] for d in details] == ["reasoning.summary", "reasoning.encrypted"]
    assert details[1]["id"].startswith("rs_") and details[1]["data"].startswith("gAAAAA")
    off = post(
        server, {"model": "anthropic/claude-sonnet-4.5", "messages": HI, "reasoning": {"effort": "none"}}
    )
    assert off.json()["choices"][0]["message"]["reasoning"] is None
    asked = {"model": "anthropic/claude-sonnet-4.5", "messages": HI, "reasoning": {"effort": "high"}}
    claude = post(server, asked).json()
    (detail,) = claude["choices"][0]["message"]["reasoning_details"]
    assert detail["format"] == "anthropic-claude-v1" and detail["signature"].startswith("E")
    hidden = post(server, {**asked, "reasoning": {"effort": "high", "exclude": True}}).json()
    assert hidden["choices"][0]["message"]["reasoning"] is None
    assert hidden["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    low = post(server, {**asked, "reasoning": {"effort": "low"}}).json()
    tokens = lambda body: body["usage"]["completion_tokens_details"]["reasoning_tokens"]  # noqa: E731
    assert tokens(low) < tokens(claude)
    capped = post(server, {**asked, "reasoning": {"max_tokens": 5}}).json()
    assert tokens(capped) == 5
