"""What ``mockpinme record`` sends upstream: OpenRouter's credentials in place of PinMe's, no
side effects unless asked, and the clear errors of its command line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from mockpinme.cli import main

from .recording import Processes, processes

__all__ = ["processes"]

UPSTREAM_KEY = "sk-or-v1-" + "0123456789abcdef" * 4
COMPLETION = {
    "id": "gen-1",
    "object": "chat.completion",
    "created": 1,
    "model": "openai/gpt-4o-mini",
    "provider": "OpenAI",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": f"Your key is {UPSTREAM_KEY}, keep it safe."},
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 7, "total_tokens": 10, "cost": 0.00001},
}


def _fake_openrouter(seen: list[dict[str, Any]]) -> web.Application:
    async def chat(request: web.Request) -> web.Response:
        seen.append({"headers": dict(request.headers), "query": dict(request.query), "path": request.path})
        return web.json_response(COMPLETION)

    async def models(request: web.Request) -> web.Response:
        seen.append({"headers": dict(request.headers), "query": dict(request.query), "path": request.path})
        return web.json_response({"data": [{"id": "openai/gpt-4o-mini", "name": "GPT-4o mini"}]})

    app = web.Application()
    app.router.add_post("/api/v1/chat/completions", chat)
    app.router.add_get("/api/v1/models", models)
    return app


async def test_an_openrouter_upstream_gets_a_bearer_key_and_no_pinme_credentials(
    processes: Processes, tmp_path: Path
) -> None:
    seen: list[dict[str, Any]] = []
    async with TestServer(_fake_openrouter(seen), host="127.0.0.1") as fake:
        out = tmp_path / "openrouter.yaml"
        upstream_url = str(fake.make_url("")).rstrip("/")
        recorder = await asyncio.to_thread(
            processes.start,
            *(
                "record",
                "--port",
                "0",
                "--upstream",
                upstream_url,
                "--out",
                str(out),
                "--upstream-api",
                "openrouter",
            ),
            env={"MOCKPINME_UPSTREAM_KEY": UPSTREAM_KEY},
        )
        async with httpx.AsyncClient(base_url=recorder.url) as http:
            reply = await http.post(
                "/api/v1/chat/completions?project_name=demo",
                headers={"X-API-Key": "dummy-worker-key", "Cookie": "session=abc"},
                json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
            )
        assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"].startswith(
            "Your key"
        )
        await asyncio.to_thread(recorder.stop)
    chat = next(s for s in seen if s["path"] == "/api/v1/chat/completions")
    assert chat["headers"]["Authorization"] == f"Bearer {UPSTREAM_KEY}"
    assert "X-API-Key" not in chat["headers"] and "Cookie" not in chat["headers"]
    assert chat["query"] == {}
    text = out.read_text()
    assert UPSTREAM_KEY not in text and "dummy-worker-key" not in text and "session=abc" not in text
    assert "Your key is {secret_1}, keep it safe." in text
    assert "openai/gpt-4o-mini" in (tmp_path / "openrouter.models.json").read_text()


def _journal(url: str) -> list[str]:
    return [e["path"] for e in httpx.get(f"{url}/__mockpinme/requests").json()["requests"]]


def test_send_email_and_auth_are_not_forwarded_unless_asked(processes: Processes, tmp_path: Path) -> None:
    upstream = processes.upstream()
    recorder = processes.recorder(upstream, tmp_path / "quiet.yaml")
    mail = {"to": "bob@example.com", "subject": "Hi", "html": "<p>Hi</p>"}
    refused = httpx.post(f"{recorder.url}/api/v4/send_email", headers={"X-API-Key": "k"}, json=mail)
    assert refused.status_code == 403
    assert "not forwarded while recording (pass --forward-side-effects)" in refused.json()["data"]["error"]
    login = httpx.post(f"{recorder.url}/api/v1/auth/create_user?project_name=demo", json={"email": "a@b.co"})
    assert login.status_code == 403
    assert "/api/v4/send_email" not in _journal(upstream.url)
    assert "/api/v1/auth/create_user" not in _journal(upstream.url)
    recorder.stop()

    forwarding = processes.recorder(upstream, tmp_path / "loud.yaml", "--forward-side-effects")
    sent = httpx.post(f"{forwarding.url}/api/v4/send_email", headers={"X-API-Key": "k"}, json=mail)
    direct = httpx.post(f"{upstream.url}/api/v4/send_email", headers={"X-API-Key": "k"}, json=mail)
    assert sent.status_code == direct.status_code and sent.json() == direct.json()
    assert _journal(upstream.url).count("/api/v4/send_email") == 2
    forwarding.stop()
    assert "rules: []" in (tmp_path / "loud.yaml").read_text(), "side effects are never recorded"


def test_command_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOCKPINME_UPSTREAM_KEY", raising=False)
    out = str(tmp_path / "x.yaml")
    assert main(["record", "--upstream", "https://openrouter.ai", "--out", out]) == 2
    assert "an OpenRouter upstream needs its key in $MOCKPINME_UPSTREAM_KEY" in capsys.readouterr().err
    assert main(["record", "--upstream", "ftp://example.com", "--out", out]) == 2
    assert "--upstream needs an http(s) URL, got 'ftp://example.com'" in capsys.readouterr().err
    (tmp_path / "x.yaml").write_text("name: x\n")
    assert main(["record", "--upstream", "https://pinme.cloud", "--out", out]) == 2
    assert "exists (pass --overwrite to replace it)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["record", "--upstream", "https://pinme.cloud", "--out", out, "--redact", "(open"])
    assert exited.value.code == 2
    assert "--redact: not a valid regular expression" in capsys.readouterr().err
