"""Every failure a PinMe client must survive: the catalogue, balances, rate limits, schedules,
per-request scenarios, and each built-in failure scenario through real clients."""

from __future__ import annotations

import re
from typing import Any

import httpx
import openai
import pytest

from mockpinme import MockPinme
from mockpinme.openrouter.errors import CATALOGUE

from .conftest import HELLO, KEY, ServerFactory, chat_url, sdk
from .node_sdk import guide

BODY: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": HELLO}


def post(
    server: MockPinme, key: str = KEY, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return httpx.post(
        server.url_for(chat_url()), json={**BODY, **body}, headers={"X-API-Key": key, **(headers or {})}
    )


FAILURES = [
    ("low-balance", openai.PermissionDeniedError, 403, "Insufficient balance, please recharge to continue"
     " using LLM service"),
    ("llm-disabled", openai.PermissionDeniedError, 403, "LLM service is disabled for this project"),
    ("not-configured", openai.BadRequestError, 400, "LLM service not configured for this project"),
    ("invalid-key", openai.AuthenticationError, 401, "Invalid API key"),
    ("key-mismatch", openai.AuthenticationError, 401, "Invalid API key or project name"),
    ("upstream-down", openai.InternalServerError, 502, "LLM service unavailable"),
    ("proxy-error", openai.InternalServerError, 500, "Failed to build request"),
    ("insufficient-credits", openai.APIStatusError, 402, "Insufficient credits. Add more using https://openrouter.ai/settings/credits"),
    (
        "moderation",
        openai.PermissionDeniedError,
        403,
        'openai/gpt-4o-mini requires moderation on OpenAI. Your input was flagged for "violence".'
        " No credits were charged.",
    ),
    ("provider-error", openai.InternalServerError, 502, "Provider returned error"),
    ("no-provider", openai.InternalServerError, 503, "Service temporarily unavailable"),
    ("timeout", openai.APIStatusError, 408, "Operation timed out. Please try again later."),
]  # fmt: skip


@pytest.mark.parametrize(("scenario", "error_class", "status", "message"), FAILURES)
def test_failure_scenarios_through_the_openai_sdk_and_the_guide(
    start_server: ServerFactory, scenario: str, error_class: type, status: int, message: str
) -> None:
    server = start_server(scenario)
    with pytest.raises(error_class) as caught:
        sdk(server).chat.completions.create(**BODY)
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    out = guide(server, "extractError", {"method": "POST", "path": chat_url(), "body": BODY})
    assert (out["status"], out["message"]) == (status, message)
    assert not re.fullmatch(r"HTTP \d+", out["message"])


def test_every_catalogue_error_has_the_references_shape(start_server: ServerFactory) -> None:
    server = start_server(
        {"rules": [{"when": {"header": {"X-Error": name}}, "respond": {"error": name}} for name in CATALOGUE]}
    )
    for name, spec in CATALOGUE.items():
        response = post(server, headers={"X-Error": name})
        assert response.status_code == spec.status, name
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        if spec.layer == "pinme":
            assert set(body) == {"code", "msg", "data"} and body["data"]["error"], name
        else:
            assert list(body) == ["error", "user_id"], name
            assert list(body["error"])[:2] == ["message", "code"] and body["error"]["code"] == spec.status
            assert not re.search(r"\{[a-z_]+\}", response.text), (name, response.text)
        if spec.status in (429, 503):
            assert response.headers["retry-after"].isdigit(), name


def test_catalogue_details(start_server: ServerFactory) -> None:
    server = start_server("moderation")
    metadata = post(server, messages=[{"role": "user", "content": "x" * 300}]).json()["error"]["metadata"]
    assert metadata["reasons"] == ["violence"] and metadata["provider_name"] == "OpenAI"
    assert metadata["model_slug"] == "openai/gpt-4o-mini"
    assert len(metadata["flagged_input"]) <= 100 and "..." in metadata["flagged_input"]
    provider = post(start_server("provider-error")).json()["error"]["metadata"]
    assert isinstance(provider["raw"], str) and provider["provider_name"] == "OpenAI"
    assert post(start_server("no-provider")).headers["retry-after"] == "30"


def test_rules_can_override_a_message_or_send_anything_raw(start_server: ServerFactory) -> None:
    server = start_server(
        {
            "rules": [
                {"when": {"nth": 1}, "respond": {"error": "openrouter.timeout", "message": "Slow today"}},
                {
                    "when": {"nth": 2},
                    "respond": {"error": "pinme.llm_unavailable", "message": "Down for maintenance"},
                },
                {
                    "respond": {
                        "status": 418,
                        "body": {"teapot": True},
                        "headers": {"X-Why": "short and stout"},
                    }
                },
            ]
        }
    )
    assert post(server).json()["error"]["message"] == "Slow today"
    assert post(server).json() == {"code": 502, "msg": "error", "data": {"error": "Down for maintenance"}}
    raw = post(server)
    assert (raw.status_code, raw.json(), raw.headers["x-why"]) == (418, {"teapot": True}, "short and stout")


def test_balance_runs_out_and_reset_restores_it(start_server: ServerFactory) -> None:
    server = start_server("balance-runs-out")
    statuses = [post(server).status_code for _ in range(12)]
    balances = [e.balance_usd for e in server.requests if e.status == 200]
    assert balances == sorted(balances, reverse=True) and balances[0] < 0.0002
    assert statuses[0] == 200 and statuses[-1] == 403
    first_refusal = statuses.index(403)
    assert set(statuses[:first_refusal]) == {200} and set(statuses[first_refusal:]) == {403}
    assert post(server).json()["data"]["error"].startswith("Insufficient balance")
    other_project = httpx.post(server.url_for(chat_url("another")), json=BODY, headers={"X-API-Key": KEY})
    assert other_project.status_code == 200
    server.clear()
    assert post(server).status_code == 200


def test_rate_limit_per_key_on_the_scenario_clock(start_server: ServerFactory) -> None:
    server = start_server("rate-limited")
    assert [post(server).status_code for _ in range(2)] == [200, 200]
    assert "x-ratelimit-limit" not in post(server, key="other").headers
    limited = post(server)
    assert limited.status_code == 429
    assert limited.json()["error"]["message"] == "Rate limit exceeded"
    assert limited.headers["retry-after"] == "60"
    assert limited.headers["x-ratelimit-limit"] == "2"
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert int(limited.headers["x-ratelimit-reset"]) > 0
    server.advance(45)
    assert post(server).headers["retry-after"] == "15"
    server.advance(15)
    assert post(server).status_code == 200
    client = sdk(server)
    client.chat.completions.create(**BODY)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(**BODY)


def test_tokens_per_minute(start_server: ServerFactory) -> None:
    server = start_server({"rate_limits": {"tokens_per_minute": 100}})
    long = [{"role": "user", "content": "word " * 40}]
    assert [post(server, messages=long).status_code for _ in range(3)] == [200, 200, 429]
    server.advance(60)
    assert post(server, messages=long).status_code == 200


def test_retry_then_succeed_gets_through_the_sdks_default_retries(start_server: ServerFactory) -> None:
    server = start_server("retry-then-succeed")
    with pytest.raises(openai.InternalServerError):
        sdk(server).chat.completions.create(**BODY)
    reply = sdk(server, max_retries=2).chat.completions.create(**BODY)
    assert reply.choices[0].message.content
    assert [post(server).status_code for _ in range(4)] == [503, 200, 503, 200]


def test_flaky_is_a_seeded_mix(start_server: ServerFactory) -> None:
    def run(**options: Any) -> list[int]:
        server = start_server("flaky", **options)
        return [post(server).status_code for _ in range(40)]

    runs = [run(), run()]
    assert runs[0] == runs[1]
    assert {200, 429, 502} <= set(runs[0])
    assert runs[0].count(200) > 20
    assert run(seed=7) != runs[0]


def test_fail_for_a_range_of_calls(start_server: ServerFactory) -> None:
    server = start_server(
        {"rules": [{"when": {"nth": {"after": 2, "count": 2}}, "respond": {"error": "openrouter.internal"}}]}
    )
    assert [post(server).status_code for _ in range(6)] == [200, 200, 500, 500, 200, 200]
    forever = start_server(
        {"rules": [{"when": {"nth": {"after": 1}}, "respond": {"error": "openrouter.internal"}}]}
    )
    assert [post(forever).status_code for _ in range(4)] == [200, 500, 500, 500]


def test_a_request_can_pick_its_own_scenario(start_server: ServerFactory) -> None:
    server = start_server("default")
    assert post(server, headers={"X-Mockpinme-Scenario": "low-balance"}).status_code == 403
    assert post(server).status_code == 200
    limited = {"X-Mockpinme-Scenario": "rate-limited"}
    assert [post(server, headers=limited).status_code for _ in range(3)] == [200, 200, 429]
    assert post(server).status_code == 200
    models = httpx.get(
        server.url_for("/api/v1/models"), headers={"X-API-Key": "k", "X-Mockpinme-Scenario": "invalid-key"}
    )
    assert models.status_code == 401
    unknown = post(server, headers={"X-Mockpinme-Scenario": "no-such-scenario"})
    assert unknown.status_code == 400
    assert "no-such-scenario" in unknown.json()["error"]["message"]
    sneaky = post(server, headers={"X-Mockpinme-Scenario": "../../etc/passwd"})
    assert sneaky.status_code == 400
    assert (
        "'../../etc/passwd' is not a built-in scenario or a scenario in" in sneaky.json()["error"]["message"]
    )
