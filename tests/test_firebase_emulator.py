"""The real Firebase Auth emulator (offline, a ``demo-`` project) and the Firebase JS SDK sign a user
up and in; the example Worker, on the Workers runtime, verifies that token through mockpinme with
``auth.accept_emulator_tokens``. Its npm packages are in tests/firebase (firebase-tools, firebase)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockpinme import MockPinme

from .node_sdk import npm_installed

HERE = Path(__file__).parent
FIREBASE = HERE / "firebase"
WORKER = HERE.parent / "examples" / "worker"
PROJECT_ID = "demo-mockpinme"
NO_NETWORK = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}
"""Any request the emulator made off this machine would fail: it runs offline."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[str]:
    """The Auth emulator on free ports, in its own process group (ended when the test ends)."""
    npm_installed(FIREBASE)
    ports = {name: free_port() for name in ("auth", "hub", "logging")}
    config = {
        "emulators": {
            **{n: {"host": "127.0.0.1", "port": p} for n, p in ports.items()},
            "ui": {"enabled": False},
        }
    }
    (tmp_path / "firebase.json").write_text(json.dumps(config))
    log = (tmp_path / "emulator.log").open("w")
    process = subprocess.Popen(
        [
            str(FIREBASE / "node_modules" / ".bin" / "firebase"),
            "emulators:start",
            "--only",
            "auth",
            "--project",
            PROJECT_ID,
        ],
        cwd=tmp_path,
        env={**os.environ, "CI": "true", **NO_NETWORK},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{ports['auth']}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "the Auth emulator did not start:\n" + (tmp_path / "emulator.log").read_text()[-3000:]
                    )
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_a_user_signed_in_on_the_emulator_reaches_the_worker(emulator: str) -> None:
    tenant = httpx.post(
        f"{emulator}/identitytoolkit.googleapis.com/v2/projects/{PROJECT_ID}/tenants",
        headers={"Authorization": "Bearer owner"},
        json={"displayName": "demo", "allowPasswordSignup": True},
    ).json()["tenantId"]
    subprocess.run(
        ["npm", "run", "build"], cwd=npm_installed(WORKER), check=True, capture_output=True, timeout=120
    )
    scenario = {"auth": {"project_id": PROJECT_ID, "tenant_id": tenant, "accept_emulator_tokens": True}}
    with MockPinme(scenario, speed=1) as server:
        result = subprocess.run(
            ["node", str(FIREBASE / "signin.mjs")],
            cwd=WORKER,
            env={
                **os.environ,
                "EMULATOR": emulator,
                "PROJECT_ID": PROJECT_ID,
                "TENANT": tenant,
                "BASE_URL": server.base_url,
                "WORKER": "dist/worker.js",
            },
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        out = json.loads(result.stdout.strip().splitlines()[-1])
        server.check()
    assert out["header"] == {"alg": "none", "typ": "JWT"}, "the emulator's unsigned token"
    assert out["tenantId"] == tenant
    not_verified = "Email not verified. Please check your inbox and verify your email address."
    assert out["unverified"] == {"status": 403, "body": {"error": not_verified, "emailNotVerified": True}}
    assert out["verified"]["status"] == 200, out["verified"]
    body = out["verified"]["body"]
    assert (body["uid"], body["email"]) == (out["uid"], "emu-user@example.com")
    assert body["user"] == {
        "uid": out["uid"],
        "email": "emu-user@example.com",
        "display_name": "",
        "disabled": False,
        "email_verified": True,
    }
