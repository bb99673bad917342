"""PinMe's gate and OpenRouter's validation: the exact status and body, through the openai SDK."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import openai
import pytest

from mockpinme import MockPinme

from .conftest import HELLO, KEY, ServerFactory, chat_url, sdk


def wrapped(status: int, text: str, msg: str = "error") -> dict[str, Any]:
    return {"code": status, "msg": msg, "data": {"error": text}}


def sdk_error(client: openai.OpenAI, **body: Any) -> openai.APIStatusError:
    body.setdefault("model", "openai/gpt-4o-mini")
    body.setdefault("messages", HELLO)
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(**body)
    return caught.value


def test_missing_key_is_pinme_401(server: MockPinme) -> None:
    error = sdk_error(sdk(server, key=""))
    assert isinstance(error, openai.AuthenticationError)
    assert error.response.json() == wrapped(401, "X-API-Key header is required")


def test_missing_project_name_is_pinme_400(server: MockPinme) -> None:
    error = sdk_error(sdk(server, project=None))
    assert isinstance(error, openai.BadRequestError)
    assert error.response.json() == wrapped(400, "project_name is required", "invalid params")


STRICT = {"projects": {"demo": {"api_key": "demo-key"}, "other": {"api_key": "other-key"}}}


def test_strict_projects_check_key_and_project(start_server: ServerFactory) -> None:
    server = start_server(STRICT)
    ok = sdk(server, key="demo-key", project="demo").chat.completions.create(
        model="openai/gpt-4o-mini", messages=HELLO
    )
    assert ok.choices[0].message.content
    unknown = sdk_error(sdk(server, key="nobody", project="demo"))
    assert unknown.status_code == 401
    assert unknown.response.json() == wrapped(401, "Invalid API key")
    mismatch = sdk_error(sdk(server, key="other-key", project="demo"))
    assert mismatch.response.json() == wrapped(401, "Invalid API key or project name")
    no_such_project = sdk_error(sdk(server, key="demo-key", project="elsewhere"))
    assert no_such_project.response.json() == wrapped(401, "Invalid API key or project name")


def test_invalid_json_is_pinme_400(http: httpx.Client) -> None:
    response = http.post(chat_url(), content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == wrapped(400, "Invalid JSON", "invalid params")


def test_body_over_one_megabyte_is_pinme_413(http: httpx.Client) -> None:
    just_fits = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x" * 1_000_000}]}
    assert http.post(chat_url(), json=just_fits).status_code == 200
    big = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x" * 1_048_577}]}
    response = http.post(chat_url(), json=big)
    assert response.status_code == 413
    assert response.json() == wrapped(413, "Request body too large (max 1MB)")


def test_chunked_body_is_refused_while_it_is_still_being_sent(server: MockPinme) -> None:
    head = (
        f"POST {chat_url()} HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"x" * 65536
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head.encode())
        for _ in range(17):
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        reply = sock.recv(65536).decode()
    assert reply.startswith("HTTP/1.1 413 ")
    assert '"Request body too large (max 1MB)"' in reply
    assert httpx.get(server.url_for("/__mockpinme/health")).json()["status"] == "ok"


def test_unknown_model_is_openrouter_400(client: openai.OpenAI) -> None:
    error = sdk_error(client, model="acme/fake-1.0")
    assert isinstance(error, openai.BadRequestError)
    body = error.response.json()
    assert body["error"] == {"message": "acme/fake-1.0 is not a valid model ID", "code": 400}
    assert body["user_id"].startswith("user_")
    assert error.message.startswith("Error code: 400")


@pytest.mark.parametrize("messages", [[], None])
def test_missing_messages_is_openrouter_400(http: httpx.Client, messages: Any) -> None:
    body: dict[str, Any] = {"model": "openai/gpt-4o-mini"}
    if messages is not None:
        body["messages"] = messages
    response = http.post(chat_url(), json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": 'Input required: specify "prompt" or "messages"',
        "code": 400,
    }


def test_unknown_path_and_wrong_method_answer_json(server: MockPinme, http: httpx.Client) -> None:
    missing = http.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == wrapped(404, "Not found: GET /api/v1/nothing")
    wrong = http.get("/api/v1/chat/completions")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"
    assert wrong.json()["data"]["error"].startswith("Method GET not allowed")
    control = http.delete("/__mockpinme/scenario")
    assert control.status_code == 405 and control.headers["allow"] == "GET, HEAD, PUT"
    assert http.get("/elsewhere").json() == wrapped(404, "Not found: GET /elsewhere")
    assert [(e.method, e.path, e.status) for e in server.requests] == [
        ("GET", "/api/v1/nothing", 404),
        ("GET", "/api/v1/chat/completions", 405),
    ]


@pytest.mark.parametrize(
    ("scenario", "error_class", "status", "text"),
    [
        (
            "low-balance",
            openai.PermissionDeniedError,
            403,
            "Insufficient balance, please recharge to continue using LLM service",
        ),
        ("llm-disabled", openai.PermissionDeniedError, 403, "LLM service is disabled for this project"),
        ("not-configured", openai.BadRequestError, 400, "LLM service not configured for this project"),
        ("invalid-key", openai.AuthenticationError, 401, "Invalid API key"),
        ("upstream-down", openai.InternalServerError, 502, "LLM service unavailable"),
        ("proxy-error", openai.InternalServerError, 500, "Failed to build request"),
    ],
)
def test_builtin_failure_scenarios(
    start_server: ServerFactory, scenario: str, error_class: type, status: int, text: str
) -> None:
    server = start_server(scenario)
    for stream in (False, True):
        error = sdk_error(sdk(server), stream=stream)
        assert isinstance(error, error_class)
        assert error.status_code == status
        assert error.response.json() == wrapped(status, text)
    models = httpx.get(server.url_for("/api/v1/models"), headers={"X-API-Key": KEY})
    assert models.status_code == (401 if scenario == "invalid-key" else 200)


def test_invalid_key_scenario_lets_its_one_key_through(start_server: ServerFactory) -> None:
    reply = sdk(start_server("invalid-key"), key="pinme-valid-key").chat.completions.create(
        model="openai/gpt-4o-mini", messages=HELLO
    )
    assert reply.choices[0].message.content


def test_pinme_errors_come_before_openrouter_validation(start_server: ServerFactory) -> None:
    error = sdk_error(sdk(start_server("upstream-down")), model="acme/not-a-model")
    assert error.status_code == 502


def test_template_error_style(start_server: ServerFactory) -> None:
    server = start_server({"pinme": {"error_style": "template"}})
    assert sdk_error(sdk(server, key="")).response.json() == wrapped(
        500, "X-API-Key header is required", "fail"
    )
    assert sdk_error(sdk(server, project=None)).response.json() == wrapped(
        400, "project_name is required", "invalid param"
    )


def test_balance_is_charged_until_it_runs_out(start_server: ServerFactory) -> None:
    server = start_server({"projects": {"demo": {"balance_usd": 0.0001}}})
    client = sdk(server)
    first = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    assert first.usage is not None and 0 < first.usage.cost < 0.0001  # type: ignore[attr-defined]
    replies = 1
    with pytest.raises(openai.PermissionDeniedError):
        for _ in range(20):
            client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
            replies += 1
    assert 1 < replies < 20


def test_server_survives_a_burst_of_bad_requests(server: MockPinme, http: httpx.Client) -> None:
    bodies: list[bytes] = [b"", b"[]", b"null", b"{", b'{"messages": "no"}', b'{"model": 5, "messages": [1]}']
    statuses = [http.post(chat_url(), content=body).status_code for body in bodies]
    assert statuses == [400, 400, 400, 400, 400, 400]
    assert http.post(chat_url(), json={"messages": HELLO}).status_code == 200
    server.check()
