"""The ``mockpinme`` command, run as a user runs it: a real process, real signals, real ports."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockpinme.cli import main

LISTENING = re.compile(r"^mockpinme listening on (http://127\.0\.0\.1:(\d+)) \(scenario: ([\w-]+)\)$")


def mockpinme(*args: str) -> list[str]:
    return [sys.executable, "-m", "mockpinme", *args]


@pytest.fixture
def serve() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def start(processes: list[subprocess.Popen[str]], *args: str) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        mockpinme("serve", "--port", "0", *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    processes.append(process)
    assert process.stdout is not None
    line = process.stdout.readline().rstrip("\n")
    found = LISTENING.match(line)
    assert found, line
    return process, found.group(1), found.group(3)


def test_serve_prints_the_real_url_and_stops_on_sigterm(serve: list[subprocess.Popen[str]]) -> None:
    process, url, scenario = start(serve, "--scenario", "low-balance", "--speed", "0")
    assert scenario == "low-balance"
    response = httpx.post(
        f"{url}/api/v1/chat/completions?project_name=p",
        headers={"X-API-Key": "k"},
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 403
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    out, err = process.communicate(timeout=5)
    assert process.returncode == 0
    assert time.monotonic() - started < 1.0
    checks = "guide.api_key_header, guide.project_name"
    assert out == f"mockpinme verdict: ok, 1 request(s) judged; checks passed: {checks}\n"
    assert "Traceback" not in err


def test_serve_prints_the_verdict_on_shutdown(serve: list[subprocess.Popen[str]]) -> None:
    process, url, _ = start(serve, "--scenario", "insufficient-credits", "--speed", "0")
    for _ in range(2):
        httpx.post(
            f"{url}/api/v1/chat/completions?project_name=p",
            headers={"X-API-Key": "k"},
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        )
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=5)
    assert out == "mockpinme verdict: NOT ok, 2 request(s) judged; failed: retries.no_retry (#1, #2)\n"


def test_sigint_stops_it_too(serve: list[subprocess.Popen[str]]) -> None:
    process, url, _ = start(serve)
    assert httpx.get(f"{url}/__mockpinme/health").status_code == 200
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=5)
    assert process.returncode == 0
    assert "Traceback" not in err


def test_port_in_use_is_a_one_line_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            mockpinme("serve", "--port", str(port)), capture_output=True, text=True, timeout=20
        )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [f"mockpinme: cannot listen on 127.0.0.1:{port}: address already in use"]


def test_serve_refuses_a_bad_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - respond: {contnet: hi}\n")
    result = subprocess.run(
        mockpinme("serve", "--port", "0", "--scenario", str(bad)), capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{bad}:2:15: rules[0].respond.contnet: unknown key")
    assert "Traceback" not in result.stderr


def test_validate_reports_every_problem_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("extends: default\nrules:\n  - respond: {content: hi}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: x\nstream: {chunk: 3}\n")
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{bad}:1:1: seed: expected a whole number, got 'x'",
        f"{bad}:2:10: stream.chunk: expected one of 'char', 'word', 'token' or a mapping, got 3",
    ]


def test_scenarios_lists_the_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert {"default", "low-balance", "invalid-key", "proxy-error"} <= set(names)
    assert all(len(line.split(None, 1)) == 2 for line in lines)


def test_console_script_and_version() -> None:
    script = Path(sys.executable).parent / "mockpinme"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert re.fullmatch(r"mockpinme \d+\.\d+\.\d+\n", result.stdout)


def test_faker_is_imported_only_when_text_is_generated() -> None:
    code = (
        "import sys\n"
        "from mockpinme.engine.state import ServerState\n"
        "ServerState.create('default')\n"
        "assert 'faker' not in sys.modules, 'faker imported at start-up'\n"
        "state = ServerState.create({'models': {'generate': 2}})\n"
        "assert 'faker' not in sys.modules, 'generated models are made at start-up'\n"
        "[len(s.catalog.by_id) for s in state.scenarios.sessions().values()]\n"
        "assert 'faker' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
