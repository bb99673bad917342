"""GET /api/v1/models: OpenRouter's envelope and complete entries, filters, PinMe's key check."""

from __future__ import annotations

from decimal import Decimal

import httpx
import openai

from mockpinme import MockPinme

from .conftest import ServerFactory

REQUIRED = {
    "id", "canonical_slug", "hugging_face_id", "name", "created", "description", "context_length",
    "architecture", "pricing", "top_provider", "per_request_limits", "supported_parameters",
    "default_parameters", "supported_voices", "links",
}  # fmt: skip
MUST_LIST = {
    "openai/gpt-4o-mini", "openai/gpt-5.2", "anthropic/claude-sonnet-4.5", "anthropic/claude-haiku-4.5",
    "google/gemini-2.5-flash", "deepseek/deepseek-v3.2", "x-ai/grok-4.5",
}  # fmt: skip


def test_envelope_and_complete_entries(http: httpx.Client) -> None:
    response = http.get("/api/v1/models")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["data", "total_count", "links"]
    assert body["links"] == {"next": None}
    assert body["total_count"] == len(body["data"]) >= 12
    ids = {m["id"] for m in body["data"]}
    assert MUST_LIST <= ids
    for model in body["data"]:
        assert REQUIRED <= set(model), model["id"]
        assert isinstance(model["created"], int)
        assert "text" in model["architecture"]["output_modalities"]
        for key, price in model["pricing"].items():
            if key not in ("overrides", "discount"):
                routed = model["id"].startswith("openrouter/") and price == "-1"
                assert isinstance(price, str) and (Decimal(price) >= 0 or routed), (model["id"], key)
        assert "reasoning" not in model or isinstance(model["reasoning"], dict)


def test_real_values_of_known_models(http: httpx.Client) -> None:
    models = {m["id"]: m for m in http.get("/api/v1/models").json()["data"]}
    mini = models["openai/gpt-4o-mini"]
    assert (mini["name"], mini["context_length"]) == ("OpenAI: GPT-4o-mini", 128000)
    assert (mini["pricing"]["prompt"], mini["pricing"]["completion"]) == ("0.00000015", "0.0000006")
    gpt52 = models["openai/gpt-5.2"]
    assert gpt52["canonical_slug"] == "openai/gpt-5.2-20251211"
    assert gpt52["links"]["details"] == "/api/v1/models/openai/gpt-5.2-20251211/endpoints"
    assert gpt52["reasoning"]["default_effort"] == "medium"
    sonnet = models["anthropic/claude-sonnet-4.5"]
    assert sonnet["pricing"]["overrides"][0]["min_prompt_tokens"] == 200000


def test_openai_sdk_lists_the_models(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list()]
    assert "openai/gpt-5.2" in ids
    assert len(ids) == len(set(ids))


def test_supported_parameters_filter(http: httpx.Client) -> None:
    everything = http.get("/api/v1/models").json()["data"]
    filtered = http.get("/api/v1/models", params={"supported_parameters": "tools,reasoning"}).json()
    expected = [m["id"] for m in everything if {"tools", "reasoning"} <= set(m["supported_parameters"])]
    assert [m["id"] for m in filtered["data"]] == expected
    assert 0 < len(expected) < len(everything)
    assert filtered["total_count"] == len(expected)


def test_output_modalities_filter(http: httpx.Client) -> None:
    default_ids = {m["id"] for m in http.get("/api/v1/models").json()["data"]}
    embeddings = http.get("/api/v1/models", params={"output_modalities": "embeddings"}).json()["data"]
    assert embeddings and all("embeddings" in m["architecture"]["output_modalities"] for m in embeddings)
    assert not {m["id"] for m in embeddings} & default_ids
    everything = http.get("/api/v1/models", params={"output_modalities": "all"}).json()["data"]
    assert {m["id"] for m in everything} == default_ids | {m["id"] for m in embeddings} | {
        m["id"] for m in everything if "text" not in m["architecture"]["output_modalities"]
    }
    assert len(everything) > len(default_ids)


def test_pagination_links(http: httpx.Client) -> None:
    total = http.get("/api/v1/models").json()["total_count"]
    page = http.get("/api/v1/models", params={"offset": 0, "limit": 5}).json()
    assert len(page["data"]) == 5
    assert page["total_count"] == total
    assert page["links"]["next"] == "/api/v1/models?offset=5&limit=5"
    bad = http.get("/api/v1/models", params={"limit": "many"})
    assert bad.status_code == 400
    assert bad.json() == {"error": {"code": 400, "message": "Invalid request parameters"}}


def test_models_need_a_key(server: MockPinme) -> None:
    response = httpx.get(server.url_for("/api/v1/models"))
    assert response.status_code == 401
    assert response.json() == {"code": 401, "msg": "error", "data": {"error": "X-API-Key header is required"}}


def test_models_work_under_low_balance(start_server: ServerFactory) -> None:
    server = start_server("low-balance")
    response = httpx.get(server.url_for("/api/v1/models"), headers={"X-API-Key": "k"})
    assert response.status_code == 200
    assert response.json()["total_count"] >= 12


def test_scenario_adds_removes_and_generates_models(start_server: ServerFactory) -> None:
    scenario = {
        "models": {
            "add": [{"id": "acme/tiny-1", "name": "Acme: Tiny 1", "context_length": 8192}],
            "remove": ["openai/gpt-4o"],
            "generate": 3,
        },
        "seed": 5,
    }
    plain = start_server()
    first = start_server(scenario)
    again = start_server(scenario)
    default_count = httpx.get(plain.url_for("/api/v1/models"), headers={"X-API-Key": "k"}).json()[
        "total_count"
    ]
    listing = httpx.get(first.url_for("/api/v1/models"), headers={"X-API-Key": "k"}).json()["data"]
    ids = [m["id"] for m in listing]
    assert "acme/tiny-1" in ids and "openai/gpt-4o" not in ids
    tiny = next(m for m in listing if m["id"] == "acme/tiny-1")
    assert REQUIRED <= set(tiny)
    assert tiny["context_length"] == 8192
    same = httpx.get(again.url_for("/api/v1/models"), headers={"X-API-Key": "k"}).json()["data"]
    assert ids == [m["id"] for m in same]
    assert len(ids) == default_count - 1 + 1 + 3
