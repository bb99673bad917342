"""The auth proxy: sign-up with a verification mail, id tokens, users and pages, every error of
PinMe's auth skill (tests/data/pinme/auth_errors.json), over HTTP against real servers."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from mockpinme import MockPinme

from .conftest import ServerFactory

TABLE = json.loads((Path(__file__).parent / "data" / "pinme" / "auth_errors.json").read_text())
ENDPOINTS = [
    ("POST", "create_user", {"email": "ada@example.com", "password": "Test@12345678"}),
    ("POST", "verify_token", {"id_token": "x"}),
    ("GET", "user", {"uid": "u1"}),
    ("GET", "list_users", {}),
]


def call(
    server: MockPinme,
    method: str,
    endpoint: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = "test-key",
    project: str | None = "demo",
) -> httpx.Response:
    url = server.url_for(f"/api/v1/auth/{endpoint}")
    headers = {"X-API-Key": key} if key is not None else {}
    params = {"project_name": project} if project is not None else {}
    if method == "GET":
        return httpx.get(url, headers=headers, params={**params, **(payload or {})})
    return httpx.post(url, headers=headers, params=params, json=payload)


def fails(response: httpx.Response, error: str) -> None:
    status, code, msg = TABLE["own"][error]
    assert response.status_code == status, response.text
    assert response.json() == {"code": code, "msg": msg, "data": {"error": error}}


def sign_up(server: MockPinme, email: str = "ada@example.com", project: str = "demo") -> dict[str, Any]:
    body = {"email": email, "password": "Test@12345678", "display_name": "Ada"}
    response = call(server, "POST", "create_user", body, project=project)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def verify(server: MockPinme, token: str, project: str = "demo") -> httpx.Response:
    return call(server, "POST", "verify_token", {"id_token": token}, project=project)


def test_the_whole_sign_up_flow(server: MockPinme) -> None:
    user = sign_up(server)
    assert set(user) == {"uid", "email", "display_name", "disabled", "email_verified"}
    assert (user["email"], user["display_name"], user["email_verified"]) == ("ada@example.com", "Ada", False)
    assert len(user["uid"]) == 28

    mail = server.last_email(to="ada@example.com")
    assert (mail.sender, mail.verification, mail.subject) == (
        "demo@pinme.cloud",
        True,
        "Verify your email for demo",
    )
    [link] = mail.links
    assert link.startswith(server.url_for("/__mockpinme/auth/verify-email?oob="))

    early = httpx.post(server.url_for("/__mockpinme/auth/token"), json={"email": "ada@example.com"}).json()
    assert early["uid"] == user["uid"] and early["project"] == "demo"
    fails(
        verify(server, early["id_token"]),
        "Email not verified. Please check your inbox and verify your email address.",
    )

    opened = httpx.get(link)
    assert opened.status_code == 200 and "verified" in opened.text
    assert httpx.get(link).status_code == 400, "a link works once"
    assert call(server, "GET", "user", {"uid": user["uid"]}).json()["data"]["email_verified"] is True

    token = server.id_token("ada@example.com")
    verified = verify(server, token)
    assert verified.status_code == 200
    data = verified.json()["data"]
    assert (data["uid"], data["email"], data["tenant_id"]) == (user["uid"], "ada@example.com", "demo-tenant")
    assert data["claims"]["firebase"] == {
        "identities": {"email": ["ada@example.com"]},
        "sign_in_provider": "password",
        "tenant": "demo-tenant",
    }
    assert data["claims"]["email_verified"] is True and data["claims"]["name"] == "Ada"
    assert not set(data["claims"]) & {"iss", "aud", "exp", "iat", "sub"}
    assert call(server, "GET", "list_users").json()["data"] == {"users": [{**user, "email_verified": True}]}


def test_tokens_are_identity_platform_tokens_checked_against_the_jwks(server: MockPinme) -> None:
    sign_up(server)
    token = server.id_token("ada@example.com", expires_in_s=600, claims={"role": "admin"})
    signing_key = jwt.PyJWKClient(server.url_for("/__mockpinme/auth/jwks.json")).get_signing_key_from_jwt(
        token
    )
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        audience="pinme-auth",
        issuer="https://securetoken.google.com/pinme-auth",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert jwt.get_unverified_header(token)["kid"] == signing_key.key_id
    assert claims["sub"] == claims["user_id"] and claims["exp"] - claims["iat"] == 600
    assert claims["auth_time"] == claims["iat"] and claims["role"] == "admin"
    assert claims["firebase"]["tenant"] == "demo-tenant"


def test_verify_token_refuses_bad_foreign_and_expired_tokens(start_server: ServerFactory) -> None:
    server = start_server({"auth": {"users": [{"email": "bo@example.com", "password": "pw-123456"}]}})
    call(server, "GET", "list_users", project="other")
    token = server.id_token("bo@example.com", project="demo")
    assert verify(server, token).status_code == 200
    head, body, signature = token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(body + "=="))
    forged["email"] = "mallory@example.com"
    forged_body = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    bad = "Invalid or expired token"
    fails(verify(server, f"{head}.{forged_body}.{signature}"), bad)
    fails(verify(server, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")), bad)
    fails(verify(server, "not-a-jwt"), bad)
    fails(verify(server, token, project="other"), bad)
    wrong_tenant = server.id_token("bo@example.com", project="demo", claims={"firebase": {"tenant": "x"}})
    fails(verify(server, wrong_tenant), bad)
    fails(verify(server, server.id_token("bo@example.com", project="demo", claims={"aud": "other-app"})), bad)
    short = server.id_token("bo@example.com", project="demo", expires_in_s=60)
    server.advance(59)
    assert verify(server, short).status_code == 200
    server.advance(1)
    fails(verify(server, short), bad)
    assert verify(server, token).status_code == 200
    server.advance(3600)
    fails(verify(server, token), bad)


def emulator_token(
    project_id: str, tenant: str | None, *, email_verified: bool = True, exp_in: int = 3600
) -> str:
    """An id token as the Firebase Auth emulator makes it (unsigned, alg none; see its notes)."""
    now = 1_900_000_000
    claims: dict[str, Any] = {
        "email": "em@example.com",
        "email_verified": email_verified,
        "auth_time": now,
        "user_id": "emuUid123",
        "firebase": {"identities": {"email": ["em@example.com"]}, "sign_in_provider": "password"},
        "iat": now,
        "exp": now + exp_in,
        "aud": project_id,
        "iss": f"https://securetoken.google.com/{project_id}",
        "sub": "emuUid123",
    }
    if tenant is not None:
        claims["firebase"]["tenant"] = tenant

    def part(value: dict[str, Any]) -> str:
        return (
            base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")
        )

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_emulator_tokens_only_with_accept_emulator_tokens(start_server: ServerFactory) -> None:
    strict = start_server({"auth": {"project_id": "demo-app"}})
    fails(verify(strict, emulator_token("demo-app", "demo-tenant")), "Invalid or expired token")
    server = start_server({"auth": {"project_id": "demo-app", "accept_emulator_tokens": True}})
    server.advance(1_900_000_000 - server.state.runtime.clock.unix() + 10)
    ok = verify(server, emulator_token("demo-app", "demo-tenant"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["uid"] == "emuUid123" and ok.json()["data"]["tenant_id"] == "demo-tenant"
    adopted = call(server, "GET", "user", {"uid": "emuUid123"}).json()["data"]
    assert (adopted["email"], adopted["email_verified"]) == ("em@example.com", True), (
        "the emulator's user joins"
    )
    fails(verify(server, emulator_token("demo-app", None)), "Invalid or expired token")
    fails(verify(server, emulator_token("demo-other", "demo-tenant")), "Invalid or expired token")
    fails(verify(server, emulator_token("demo-app", "demo-tenant", exp_in=5)), "Invalid or expired token")
    unverified = emulator_token("demo-app", "demo-tenant", email_verified=False)
    fails(
        verify(server, unverified),
        "Email not verified. Please check your inbox and verify your email address.",
    )


@pytest.mark.parametrize("case", TABLE["common"], ids=[c["case"] for c in TABLE["common"]])
@pytest.mark.parametrize(("method", "endpoint", "payload"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_common_errors_on_every_call(
    start_server: ServerFactory, case: dict[str, Any], method: str, endpoint: str, payload: dict[str, Any]
) -> None:
    server = start_server(case.get("scenario", "default"))
    response = call(
        server,
        method,
        endpoint,
        payload,
        key=case.get("key", "test-key"),
        project=case.get("project", "demo"),
    )
    assert response.status_code == case["http"]
    assert response.json() == {"code": case["code"], "msg": case["msg"], "data": {"error": case["error"]}}
    assert server.outbox == []


def test_create_user_errors_and_rollback(start_server: ServerFactory) -> None:
    server = start_server(
        {
            "auth": {
                "rules": [
                    {
                        "when": {"endpoint": "create_user", "email": "up@example.com"},
                        "respond": {"error": "pinme.auth_create_failed"},
                    }
                ]
            },
            "email": {
                "rules": [
                    {
                        "when": {"to": "nomail@example.com", "verification": True},
                        "respond": {"error": "pinme.email_failed"},
                    }
                ]
            },
        }
    )
    required = "email and password are required"
    fails(call(server, "POST", "create_user", {"email": "a@example.com"}), required)
    fails(call(server, "POST", "create_user", {"password": "Test@12345678"}), required)
    fails(call(server, "POST", "create_user", {"email": "", "password": "x"}), required)
    fails(
        httpx.post(
            server.url_for("/api/v1/auth/create_user?project_name=demo"),
            content=b"{",
            headers={"X-API-Key": "k"},
        ),
        required,
    )
    failed = "Failed to create user"
    fails(
        call(server, "POST", "create_user", {"email": "up@example.com", "password": "Test@12345678"}), failed
    )
    fails(
        call(server, "POST", "create_user", {"email": "not-an-address", "password": "Test@12345678"}), failed
    )
    fails(call(server, "POST", "create_user", {"email": "weak@example.com", "password": "12345"}), failed)
    sign_up(server, "ada@example.com")
    fails(
        call(server, "POST", "create_user", {"email": "ADA@example.com", "password": "Test@12345678"}), failed
    )
    fails(
        call(server, "POST", "create_user", {"email": "nomail@example.com", "password": "Test@12345678"}),
        "Failed to send verification email. Please try again.",
    )
    users = call(server, "GET", "list_users").json()["data"]["users"]
    assert [u["email"] for u in users] == ["ada@example.com"], "no user is left behind"
    assert [e.to for e in server.outbox] == ["ada@example.com"]
    plain = {"to": "nomail@example.com", "subject": "Hi", "html": "<p>Hi</p>"}
    sent = httpx.post(server.url_for("/api/v4/send_email"), json=plain, headers={"X-API-Key": "k"})
    assert sent.status_code == 200, "the rule fails verification mails only"


def test_email_down_fails_sign_up_without_leaving_the_user(start_server: ServerFactory) -> None:
    server = start_server("email-down")
    body = {"email": "ada@example.com", "password": "Test@12345678"}
    fails(call(server, "POST", "create_user", body), "Failed to send verification email. Please try again.")
    assert call(server, "GET", "list_users").json()["data"] == {"users": []}
    entry = server.requests[0]
    assert entry.rule == "every-mail-fails"
    assert entry.error == "pinme.auth_verification_email_failed"


def test_verify_token_user_and_scripted_errors(start_server: ServerFactory) -> None:
    server = start_server(
        {
            "auth": {
                "users": [{"email": "cy@example.com", "uid": "uid-cy"}],
                "rules": [
                    {
                        "when": {"endpoint": "user", "uid": "uid-broken"},
                        "respond": {"error": "pinme.auth_get_user_failed"},
                    },
                    {
                        "when": {"endpoint": "verify_token", "nth": 2},
                        "respond": {"status": 503, "message": "Identity Platform busy"},
                    },
                ],
            }
        }
    )
    fails(call(server, "POST", "verify_token", {}), "id_token is required")
    fails(call(server, "POST", "verify_token", {"id_token": ""}), "id_token is required")
    fails(call(server, "POST", "verify_token", {"id_token": 5}), "id_token is required")
    fails(call(server, "POST", "verify_token", {"id_token": "x"}), "Invalid or expired token")
    fails(call(server, "GET", "user", {"uid": "nobody"}), "User not found")
    busy = call(server, "POST", "verify_token", {"id_token": "x"})
    assert (busy.status_code, busy.json()) == (
        503,
        {"code": 503, "msg": "fail", "data": {"error": "Identity Platform busy"}},
    )
    fails(call(server, "GET", "user", {}), "uid is required")
    fails(call(server, "GET", "user", {"uid": "nobody"}), "User not found")
    fails(call(server, "GET", "user", {"uid": "uid-broken"}), "Failed to get user")
    seeded = call(server, "GET", "user", {"uid": "uid-cy"}).json()["data"]
    assert seeded == {
        "uid": "uid-cy",
        "email": "cy@example.com",
        "display_name": "",
        "disabled": False,
        "email_verified": True,
    }


def test_list_users_pages_in_uid_order(start_server: ServerFactory) -> None:
    users = [{"email": f"user{n:02d}@example.com", "password": "pw-123456"} for n in range(25)]
    server = start_server({"auth": {"users": users}})
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        query = {"max_results": "10", **({"page_token": token} if token else {})}
        data = call(server, "GET", "list_users", query).json()["data"]
        seen += [u["uid"] for u in data["users"]]
        pages += 1
        token = data.get("next_page_token")
        if token is None:
            break
        assert token not in seen, "the token is opaque"
    assert pages == 3 and len(seen) == 25 and seen == sorted(seen)
    default = call(server, "GET", "list_users").json()["data"]
    assert len(default["users"]) == 25 and "next_page_token" not in default
    exact = call(server, "GET", "list_users", {"max_results": "25"}).json()["data"]
    assert len(exact["users"]) == 25 and exact["next_page_token"]
    after = call(server, "GET", "list_users", {"page_token": exact["next_page_token"]}).json()["data"]
    assert after == {"users": []}, "a full page carries a token even when nothing follows"


@pytest.mark.parametrize(
    ("given", "size"), [("0", 100), ("-3", 100), ("abc", 100), ("2.5", 100), ("5000", 1000), ("1", 1)]
)
def test_out_of_range_max_results(start_server: ServerFactory, given: str, size: int) -> None:
    users = [{"email": f"u{n:04d}@example.com"} for n in range(1001)]
    server = start_server({"auth": {"users": users}})
    response = call(server, "GET", "list_users", {"max_results": given})
    assert response.status_code == 200
    assert len(response.json()["data"]["users"]) == size


def test_a_page_token_it_did_not_make_starts_after_that_text(start_server: ServerFactory) -> None:
    server = start_server(
        {
            "auth": {
                "users": [{"email": "a@example.com", "uid": "aaa"}, {"email": "z@example.com", "uid": "zzz"}]
            }
        }
    )
    data = call(server, "GET", "list_users", {"page_token": "m!"}).json()["data"]
    assert [u["uid"] for u in data["users"]] == ["zzz"]


def test_reset_restores_the_seeded_users(start_server: ServerFactory) -> None:
    server = start_server({"auth": {"users": [{"email": "seed@example.com", "display_name": "Seed"}]}})
    sign_up(server, "new@example.com")
    assert len(call(server, "GET", "list_users").json()["data"]["users"]) == 2
    link = server.last_email().links[0]
    httpx.post(server.url_for("/__mockpinme/reset"), json={})
    users = call(server, "GET", "list_users").json()["data"]["users"]
    assert [u["email"] for u in users] == ["seed@example.com"]
    assert httpx.get(link).status_code == 400


def test_projects_have_their_own_users(server: MockPinme) -> None:
    sign_up(server, "ada@example.com", project="shop")
    assert call(server, "GET", "list_users", project="blog").json()["data"] == {"users": []}
    assert sign_up(server, "ada@example.com", project="blog")["email"] == "ada@example.com"


def test_the_token_endpoint_says_what_is_wrong(server: MockPinme) -> None:
    url = server.url_for("/__mockpinme/auth/token")
    cases = [
        (
            {"email": "ghost@example.com"},
            404,
            "no user with email 'ghost@example.com' in any project used so far",
        ),
        (
            {"email": "ghost@example.com", "project": "demo"},
            404,
            "no user with email 'ghost@example.com' in project 'demo'",
        ),
        ({}, 400, 'give one of "email" and "uid"'),
        ({"email": "a@example.com", "uid": "u"}, 400, 'give one of "email" and "uid"'),
        ({"uid": "u", "expires_in_s": -1}, 400, '"expires_in_s" takes a number of seconds above 0'),
        ({"uid": "u", "claims": []}, 400, '"claims" takes a mapping'),
    ]
    for body, status, message in cases:
        response = httpx.post(url, json=body)
        assert response.status_code == status, body
        assert message in response.json()["error"]["message"], response.text
    assert httpx.post(url, content=b"nope").status_code == 400
    with pytest.raises(ValueError, match="no user with email"):
        server.id_token("ghost@example.com")


def test_secrets_stay_out_of_the_journal(server: MockPinme) -> None:
    sign_up(server)
    token = server.id_token("ada@example.com")
    verify(server, token)
    journal = httpx.get(server.url_for("/__mockpinme/requests")).text
    assert "Test@12345678" not in journal and token not in journal
    created, checked = server.requests
    assert created.json["password"] == "********" and created.json["email"] == "ada@example.com"
    assert checked.json["id_token"] != token


def test_disabled_users_get_no_token(start_server: ServerFactory) -> None:
    server = start_server({"auth": {"users": [{"email": "off@example.com", "disabled": True}]}})
    with pytest.raises(ValueError, match="disabled"):
        server.id_token("off@example.com", project="demo")


def test_links_and_keys_need_no_control_token(start_server: ServerFactory) -> None:
    server = start_server(control_token="s3cret")
    sign_up(server)
    link = server.last_email().links[0]
    assert httpx.get(server.url_for("/__mockpinme/outbox")).status_code == 401
    assert (
        httpx.post(server.url_for("/__mockpinme/auth/token"), json={"email": "ada@example.com"}).status_code
        == 401
    )
    assert httpx.get(server.url_for("/__mockpinme/auth/jwks.json")).status_code == 200
    assert httpx.get(link).status_code == 200
    minted = httpx.post(
        server.url_for("/__mockpinme/auth/token"),
        json={"email": "ada@example.com"},
        headers={"Authorization": "Bearer s3cret"},
    )
    assert verify(server, minted.json()["id_token"]).status_code == 200


def test_the_control_api_lists_every_projects_users(server: MockPinme) -> None:
    assert httpx.get(server.url_for("/__mockpinme/auth/users")).json() == {"users": []}
    ada = sign_up(server)
    bob = sign_up(server, "bob@example.com", project="other")
    users = httpx.get(server.url_for("/__mockpinme/auth/users")).json()["users"]
    assert [(u["project"], u["uid"], u["email"], u["email_verified"]) for u in users] == [
        ("demo", ada["uid"], "ada@example.com", False),
        ("other", bob["uid"], "bob@example.com", False),
    ]
    server.clear()
    assert httpx.get(server.url_for("/__mockpinme/auth/users")).json() == {"users": []}
