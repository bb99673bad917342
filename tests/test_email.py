"""send_email: PinMe's table of errors (tests/data/pinme/send_email_errors.json), the outbox, and
scripted failures, over HTTP against a real server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockpinme import MockPinme

from .conftest import ServerFactory

TABLE = json.loads((Path(__file__).parent / "data" / "pinme" / "send_email_errors.json").read_text())
MAIL = {
    "to": "ada@example.com",
    "subject": "Your code",
    "html": '<p>Code <b>123456</b> <a href="https://a.example/x?y=1&amp;z=2">open</a></p>',
}


def send(server: MockPinme, body: Any = MAIL, key: str | None = "test-key", **options: Any) -> httpx.Response:
    headers = {"X-API-Key": key} if key is not None else {}
    if isinstance(body, (bytes, str)):
        return httpx.post(server.url_for("/api/v4/send_email"), content=body, headers=headers, **options)
    return httpx.post(server.url_for("/api/v4/send_email"), json=body, headers=headers, **options)


def test_a_mail_is_accepted_and_lands_in_the_outbox(server: MockPinme) -> None:
    response = send(server)
    assert response.status_code == 200
    assert response.json() == {"code": 200, "msg": "ok", "data": {"ok": True}}
    emails = httpx.get(server.url_for("/__mockpinme/outbox")).json()["emails"]
    assert len(emails) == 1
    email = emails[0]
    assert set(email) >= {"id", "project", "from", "to", "subject", "html", "text", "links", "sent_at"}
    assert (email["project"], email["from"], email["to"]) == ("default", "default@pinme.cloud", MAIL["to"])
    assert (email["subject"], email["html"]) == (MAIL["subject"], MAIL["html"])
    assert email["text"] == "Code 123456 open"
    assert email["links"] == ["https://a.example/x?y=1&z=2"]
    assert email["sent_at"].endswith("Z") and email["verification"] is False
    assert server.last_email(to="ADA@example.com").links == ("https://a.example/x?y=1&z=2",)
    assert server.last_request is not None and server.last_request.json == MAIL


def test_newest_last_and_emptied_by_delete_and_reset(server: MockPinme) -> None:
    for n in range(3):
        assert send(server, {**MAIL, "to": f"u{n}@example.com"}).status_code == 200
    outbox = server.url_for("/__mockpinme/outbox")
    assert [e["to"] for e in httpx.get(outbox).json()["emails"]] == [f"u{n}@example.com" for n in range(3)]
    assert [e["to"] for e in httpx.get(outbox, params={"to": "u1@example.com"}).json()["emails"]] == [
        "u1@example.com"
    ]
    assert httpx.delete(outbox).json() == {"status": "ok", "deleted": 3}
    assert httpx.get(outbox).json() == {"emails": []}
    send(server)
    assert len(server.outbox) == 1
    httpx.post(server.url_for("/__mockpinme/reset"), json={})
    assert server.outbox == []
    with pytest.raises(AssertionError, match=r"no email to ada@example\.com in the outbox"):
        server.last_email(to="ada@example.com")


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["case"] for c in TABLE["cases"]])
def test_every_error_of_the_table(start_server: ServerFactory, case: dict[str, Any]) -> None:
    server = start_server(case.get("scenario", "default"))
    body = case.get("body", MAIL)
    if case.get("body_bytes"):
        body = json.dumps({**MAIL, "html": "x" * case["body_bytes"]})
    response = send(server, body, key=case.get("key", "test-key"))
    assert response.status_code == case["http"]
    assert response.json() == {"code": case["code"], "msg": case["msg"], "data": {"error": case["error"]}}
    assert server.outbox == []
    again = send(server, key="pinme-valid-key")
    assert again.status_code == (500 if case.get("scenario") == "email-down" else 200), "it keeps serving"


def test_sender_is_the_project_the_key_belongs_to(start_server: ServerFactory) -> None:
    server = start_server({"projects": {"shop": {"api_key": "k-shop"}, "blog": {"api_key": "k-blog"}}})
    assert send(server, key="k-blog").status_code == 200
    assert send(server, key="k-shop").status_code == 200
    assert [(e.project, e.sender) for e in server.outbox] == [
        ("blog", "blog@pinme.cloud"),
        ("shop", "shop@pinme.cloud"),
    ]
    assert send(server, key="k-other").json()["data"]["error"] == "Invalid API key"
    wildcard = start_server("invalid-key")
    assert send(wildcard, key="pinme-valid-key").status_code == 200
    assert wildcard.outbox[0].sender == "default@pinme.cloud"


def test_scripted_failures_by_recipient_subject_and_call(start_server: ServerFactory) -> None:
    server = start_server(
        {
            "email": {
                "rules": [
                    {
                        "name": "bounce",
                        "when": {"to": "bounce@example.com"},
                        "respond": {"error": "pinme.email_failed"},
                    },
                    {
                        "when": {"subject": "Weekly"},
                        "respond": {"status": 503, "message": "Mail provider busy"},
                    },
                    {
                        "when": {"nth": 4},
                        "times": 1,
                        "respond": {"error": "pinme.email_failed", "message": "quota"},
                    },
                ]
            }
        }
    )
    failed = send(server, {**MAIL, "to": "bounce@example.com"})
    assert (failed.status_code, failed.json()) == (
        500,
        {"code": 500, "msg": "fail", "data": {"error": "Failed to send email"}},
    )
    busy = send(server, {**MAIL, "subject": "Your Weekly digest"})
    assert (busy.status_code, busy.json()["data"]["error"]) == (503, "Mail provider busy")
    assert send(server).status_code == 200
    fourth = send(server)
    assert (fourth.status_code, fourth.json()["data"]["error"]) == (500, "quota")
    assert send(server).status_code == 200
    assert [e.to for e in server.outbox] == [MAIL["to"], MAIL["to"]]
    statuses = [(e.status, e.rule) for e in server.requests]
    assert statuses == [
        (500, "bounce"),
        (503, "email.rules[1]"),
        (200, None),
        (500, "email.rules[2]"),
        (200, None),
    ]


def test_probability_is_seeded(start_server: ServerFactory) -> None:
    scenario = {
        "seed": 7,
        "email": {"rules": [{"when": {"probability": 0.5}, "respond": {"error": "pinme.email_failed"}}]},
    }
    runs = []
    for _ in range(2):
        server = start_server(scenario)
        runs.append([send(server).status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}


def test_email_down_fails_every_mail(start_server: ServerFactory) -> None:
    server = start_server("email-down")
    for _ in range(3):
        assert send(server).json() == {"code": 500, "msg": "fail", "data": {"error": "Failed to send email"}}
    assert server.outbox == []


def test_only_post_is_routed(server: MockPinme) -> None:
    response = httpx.get(server.url_for("/api/v4/send_email"), headers={"X-API-Key": "k"})
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


def test_scenario_rules_are_validated() -> None:
    from mockpinme import ScenarioError, load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario({"email": {"rules": [{"respond": {"error": "openrouter.timeout"}}, {"respond": {}}]}})
    text = str(caught.value)
    assert "email.rules[0].respond.error: unknown PinMe error name 'openrouter.timeout'" in text
    assert "email.rules[1].respond: give one of 'error' and 'status'" in text
