"""The real OpenRouter listing as the catalog: verbatim, filtered as OpenRouter documents, a user's
own dump, ``accept_unknown``, and every provider family's own shapes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockpinme import MockPinme, load_scenario
from mockpinme.engine.catalog import BUILTIN
from mockpinme.scenario import ScenarioError

from .conftest import KEY, ServerFactory, chat_url

SHIPPED = json.loads(gzip.decompress(BUILTIN.read_bytes()))["data"]
HI = [{"role": "user", "content": "Hello"}]


def models(server: MockPinme, query: str = "") -> dict[str, Any]:
    response = httpx.get(server.url_for(f"/api/v1/models{query}"), headers={"X-API-Key": KEY})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def chat(server: MockPinme, **body: Any) -> httpx.Response:
    return httpx.post(server.url_for(chat_url()), json={"messages": HI, **body}, headers={"X-API-Key": KEY})


def test_default_listing_is_the_real_text_models_verbatim_in_order(server: MockPinme) -> None:
    body = models(server)
    text = [m for m in SHIPPED if "text" in m["architecture"]["output_modalities"]]
    assert body["data"] == text and body["total_count"] == len(text) == 414
    everything = models(server, "?output_modalities=all")
    assert everything["data"] == SHIPPED and everything["total_count"] == 549


def test_filters_as_openrouter_documents_them(server: MockPinme) -> None:
    embeddings = models(server, "?output_modalities=embeddings")["data"]
    assert embeddings and all(m["architecture"]["output_modalities"] == ["embeddings"] for m in embeddings)
    tools = models(server, "?supported_parameters=tools,structured_outputs")
    assert tools["total_count"] == len(tools["data"]) > 0
    assert all({"tools", "structured_outputs"} <= set(m["supported_parameters"]) for m in tools["data"])
    newest = models(server, "?sort=newest&limit=5")
    assert [m["created"] for m in newest["data"]] == sorted(
        (m["created"] for m in newest["data"]), reverse=True
    )
    assert newest["links"]["next"] == "/api/v1/models?offset=5&limit=5"
    anthropic = models(server, "?model_authors=anthropic")["data"]
    assert anthropic and all(m["id"].lstrip("~").startswith("anthropic/") for m in anthropic)
    wide = models(server, "?context=1000000")["data"]
    assert wide and all(m["context_length"] >= 1000000 for m in wide)
    cheap = models(server, "?max_price=0.1")["data"]
    assert cheap and all(float(m["pricing"]["prompt"]) * 1e6 <= 0.1 for m in cheap)
    bad = httpx.get(server.url_for("/api/v1/models?limit=abc"), headers={"X-API-Key": KEY})
    assert bad.status_code == 400


def test_current_models_answer_and_unknown_ones_do_not(server: MockPinme) -> None:
    assert chat(server, model="deepseek/deepseek-chat").status_code == 200
    unknown = chat(server, model="acme/fake-1.0")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == "acme/fake-1.0 is not a valid model ID"


def test_accept_unknown_answers_any_vendor_model(start_server: ServerFactory) -> None:
    server = start_server({"models": {"accept_unknown": True}})
    reply = chat(server, model="acme/fake-1.0")
    assert reply.status_code == 200 and reply.json()["model"] == "acme/fake-1.0"
    assert reply.json()["usage"]["cost"] > 0
    assert chat(server, model="no-vendor").status_code == 400


def test_a_scenario_may_serve_a_users_own_dump(tmp_path: Path, start_server: ServerFactory) -> None:
    dump = {"data": [dict(SHIPPED[0], id="acme/house-model", name="Acme: House")], "total_count": 1}
    (tmp_path / "models.json").write_text(json.dumps(dump))
    path = tmp_path / "own.yaml"
    path.write_text("models: {catalog: models.json}\n")
    server = start_server(str(path))
    assert [m["id"] for m in models(server)["data"]] == ["acme/house-model"]
    assert chat(server, model="acme/house-model").status_code == 200
    (tmp_path / "broken.yaml").write_text("models: {catalog: missing.json}\n")
    with pytest.raises(ScenarioError, match=r"broken.yaml:1:\d+: models.catalog: cannot read catalog file"):
        load_scenario(str(tmp_path / "broken.yaml"))


FAMILIES = [
    ("openai/gpt-5-mini", "OpenAI", "completed", "openai/gpt-5-mini-2025-08-07", r"call_[A-Za-z0-9]{24}"),
    ("anthropic/claude-sonnet-4.5", "Amazon Bedrock", "end_turn", "anthropic/claude-4.5-sonnet-20250929",
     r"toolu_bdrk_01[A-Za-z0-9]{22}"),
    ("google/gemini-2.5-flash", "Google AI Studio", "STOP", "google/gemini-2.5-flash",
     r"tool_get_weather_[A-Za-z0-9]{20}"),
    ("mistralai/mistral-small-3.2-24b-instruct", "Mistral", "stop",
     "mistralai/mistral-small-3.2-24b-instruct",
     r"[A-Za-z0-9]{9}"),
    ("deepseek/deepseek-v3.2", "DeepSeek", "stop", "deepseek/deepseek-v3.2", r"call_00_[A-Za-z0-9]{24}"),
    ("x-ai/grok-4.5", "xAI", "completed", "x-ai/grok-4.5", r"call_[A-Za-z0-9]{24}"),
]  # fmt: skip
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.mark.parametrize(("model", "provider", "native", "answered", "call_id"), FAMILIES)
def test_each_family_answers_in_its_own_shapes(
    server: MockPinme, model: str, provider: str, native: str, answered: str, call_id: str
) -> None:
    import re

    body = chat(server, model=model).json()
    (choice,) = body["choices"]
    assert (body["provider"], body["model"], choice["native_finish_reason"]) == (provider, answered, native)
    assert re.fullmatch(r"gen-\d{10}-[A-Za-z0-9]{20}", body["id"]) and not re.fullmatch(
        r".*-[0-9a-f]{20}", body["id"]
    )
    fingerprint = body["system_fingerprint"]
    assert (fingerprint is not None) == (provider == "xAI")
    weather = [{"role": "user", "content": "What is the weather in Oslo?"}]
    called = chat(server, model=model, messages=weather, tools=[WEATHER]).json()
    (call,) = called["choices"][0]["message"]["tool_calls"]
    assert re.fullmatch(call_id, call["id"]), call["id"]


def test_numbers_are_written_without_exponents(server: MockPinme) -> None:
    raw = chat(server, model="mistralai/mistral-small-3.2-24b-instruct").text
    assert "e-" not in raw.split('"usage"')[1]
