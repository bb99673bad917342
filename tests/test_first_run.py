"""What a new user meets in the first ten minutes: the messages, the commands and the defaults."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import openai
import pytest

from mockpinme import MockPinme
from mockpinme.cli import main
from mockpinme.engine.catalog import Catalog
from mockpinme.scenario import ScenarioError, builtins, load_scenario

from .conftest import KEY, PROJECT, ServerFactory

pytest_plugins = ["pytester"]
CHAT = "/api/v1/chat/completions?project_name=demo"
HI = [{"role": "user", "content": "Hi"}]


def chat(server: MockPinme, **body: object) -> httpx.Response:
    payload = {"model": "openai/gpt-4o-mini", "messages": HI, **body}
    return httpx.post(server.url_for(CHAT), headers={"X-API-Key": KEY}, json=payload, timeout=10)


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def mockpinme(*args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "mockpinme", *args], capture_output=True, text=True, timeout=60, **options
    )


# 6. strict names a rule that matches but has no answer left


def test_strict_says_a_matching_rule_has_used_up_its_times(start_server: ServerFactory) -> None:
    server = start_server(
        {
            "strict": True,
            "rules": [
                {"name": "first", "when": {"nth": 1}, "respond": {"content": "one"}},
                {"name": "twice", "when": {"last_user": "Hi"}, "respond": {"content": "two"}, "times": 2},
            ],
        }
    )
    assert [chat(server).status_code for _ in range(3)] == [200, 200, 200]
    refused = chat(server)
    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert "rules[1] (twice) matches, but it has used up its times: 2 (answered 2)" in message, message


def test_strict_says_a_sequence_that_falls_through_is_used_up(start_server: ServerFactory) -> None:
    server = start_server(
        {"strict": True, "rules": [{"respond": [{"content": "a"}, {"content": "b"}], "then": "fall_through"}]}
    )
    assert [chat(server).status_code for _ in range(2)] == [200, 200]
    message = chat(server).json()["error"]["message"]
    assert "rules[0] matches, but its sequence of 2 answers is used up (then: fall_through)" in message


# 7. validate


def test_every_duplicate_key_is_reported(tmp_path: Path) -> None:
    found = problems(tmp_path, "seed: 1\nseed: 2\nstream:\n  ttft_ms: 1\n  ttft_ms: 2\nseed: 3\n")
    assert found == [
        "2:1: (top): duplicate key 'seed'",
        "5:3: (top): duplicate key 'ttft_ms'",
        "6:1: (top): duplicate key 'seed'",
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_file_is_not_a_scenario(tmp_path: Path, text: str) -> None:
    (found,) = problems(tmp_path, text)
    assert found.startswith("1:1: (top): the scenario is empty")
    assert "extends: default" in found


def test_a_yaml_boolean_where_text_is_wanted_gets_the_hint(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "projects:\n  demo:\n    llm: off\n")
    assert found.startswith(
        "3:5: projects.demo.llm: expected one of 'enabled', 'disabled', 'not-configured', got False"
    )
    assert "quote the word" in found


def test_an_unknown_error_name_lists_the_names(tmp_path: Path) -> None:
    from mockpinme.openrouter.errors import ERROR_NAMES

    (found,) = problems(tmp_path, "rules:\n  - respond: {error: kaboom}\n")
    assert "unknown error name 'kaboom' (known: " in found
    assert all(name in found for name in ERROR_NAMES)


def test_validate_takes_builtin_names_as_serve_does(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "low-balance", "default"]) == 0
    assert capsys.readouterr().err.splitlines() == ["low-balance: ok", "default: ok"]
    assert main(["validate", "lowbalance"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("lowbalance: no built-in scenario 'lowbalance' (did you mean low-balance?)")


def test_validate_an_empty_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.yaml").write_text("")
    assert main(["validate", str(tmp_path / "empty.yaml")]) == 1
    assert "the scenario is empty" in capsys.readouterr().out


# 8. a mistyped built-in name


def test_serve_with_a_mistyped_name_suggests_the_builtin() -> None:
    result = mockpinme("serve", "--port", "0", "--scenario", "lowbalance")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "lowbalance: no built-in scenario 'lowbalance' (did you mean low-balance?)"
    )
    assert "site-packages" not in result.stderr and ".yaml" not in result.stderr


def test_extends_with_a_mistyped_name_suggests_too(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "extends: low-balanse\n")
    assert found.startswith("1:1: extends: no built-in scenario 'low-balanse' (did you mean low-balance?)")


# 9. relative paths


def test_put_scenario_path_resolves_against_the_scenario_folders_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_server: ServerFactory
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "here.yaml").write_text("extends: low-balance\n")
    (tmp_path / "cwd.yaml").write_text("extends: low-balance\n")
    monkeypatch.chdir(tmp_path)
    server = start_server(scenarios_dirs=[tmp_path / "folder"])
    refused = httpx.put(server.url_for("/__mockpinme/scenario"), json={"path": "cwd.yaml"})
    assert refused.status_code == 400
    answer = httpx.put(server.url_for("/__mockpinme/scenario"), json={"path": "here.yaml"})
    assert answer.json() == {"status": "ok", "scenario": "here"}
    assert chat(server).status_code == 403


def test_a_markers_relative_path_is_taken_from_the_test_files_folder(pytester: pytest.Pytester) -> None:
    pytester.mkdir("suite")
    (pytester.path / "suite" / "mine.yaml").write_text("extends: low-balance\n")
    (pytester.path / "suite" / "test_here.py").write_text(
        "import pytest, httpx\n\n"
        "@pytest.mark.mockpinme(scenario='mine.yaml')\n"
        "def test_mine(mockpinme):\n"
        "    assert mockpinme.scenario.name == 'mine'\n"
    )
    pytester.mkdir("elsewhere")
    result = pytester.runpytest_subprocess(str(pytester.path / "suite"), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


# 10. off loopback without a token


def test_serving_off_loopback_without_a_token_warns_at_start(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockpinme", "serve", "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("MOCKPINME_")},
    )
    try:
        assert process.stdout is not None
        port = re.findall(r"http://0\.0\.0\.0:(\d+) ", process.stdout.readline())[0]
        refused = httpx.get(f"http://127.0.0.1:{port}/__mockpinme/state")
        assert refused.status_code == 403
        assert "--control-token TOKEN or $MOCKPINME_CONTROL_TOKEN" in refused.json()["error"]["message"]
    finally:
        process.terminate()
        process.wait(timeout=5)
    assert process.stderr is not None
    warning = process.stderr.read()
    assert "warning: bound to 0.0.0.0 without a control token" in warning
    assert "--control-token TOKEN or $MOCKPINME_CONTROL_TOKEN" in warning


# 11. mockpinme wait


class _SlowHealth(BaseHTTPRequestHandler):
    """Answers 503 to the first three health checks, then 200."""

    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        ready = type(self).hits > 3 and self.path == "/__mockpinme/health"
        body = b'{"status":"ok","scenario":"slow"}' if ready else b"{}"
        self.send_response(200 if ready else 503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_health() -> Iterator[str]:
    _SlowHealth.hits = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHealth)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_wait_polls_until_healthy(slow_health: str) -> None:
    result = mockpinme("wait", slow_health, "--timeout", "30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"mockpinme is up at {slow_health}/__mockpinme/health (scenario: slow)"
    assert _SlowHealth.hits == 4


def test_wait_on_a_real_server_and_its_timeout(server: MockPinme) -> None:
    up = mockpinme("wait", server.base_url)
    assert (up.returncode, up.stdout.strip()) == (
        0,
        f"mockpinme is up at {server.base_url}/__mockpinme/health (scenario: default)",
    )
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{holder.getsockname()[1]}"
        down = mockpinme("wait", closed, "--timeout", "0.5")
    assert down.returncode == 1
    assert down.stderr.startswith(
        f"mockpinme wait: {closed}/__mockpinme/health not healthy after 0.5 s (last: "
    )


def test_wait_refuses_what_is_not_a_url() -> None:
    result = mockpinme("wait", "127.0.0.1:8790")
    assert result.returncode == 2
    assert "not an http(s) URL" in result.stderr


def test_scenario_from_the_environment(tmp_path: Path) -> None:
    result = mockpinme("serve", "--port", "0", env={**os.environ, "MOCKPINME_SCENARIO": "nope-nope"})
    assert result.returncode == 1 and "no built-in scenario 'nope-nope'" in result.stderr


# 4. mockpinme models


def test_models_lists_the_whole_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    scenario = load_scenario("default")
    ids = list(Catalog(scenario.models, scenario.seed).by_id)
    assert lines[0].split()[:2] == ["id", "context"]
    assert [line.split()[0] for line in lines[1:]] == ids


def test_models_filter_and_the_reasoning_scenarios_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--filter", "REASONING"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines and all("reasoning" in line.lower() or "reason" in line.split()[0] for line in lines)
    scenario = load_scenario("reasoning")
    reasoners = {m.id for m in Catalog(scenario.models, scenario.seed).by_id.values() if m.supports_reasoning}
    assert reasoners <= {line.split()[0] for line in lines}
    assert main(["models", "--filter", "no-such-model-anywhere"]) == 1
    assert "matches 'no-such-model-anywhere'" in capsys.readouterr().err


# 5. the descriptions say when each behaviour appears


def test_balance_runs_out_after_the_calls_its_description_counts(start_server: ServerFactory) -> None:
    (info,) = [b for b in builtins() if b.name == "balance-runs-out"]
    counts = re.findall(r"(\d+) calls? of (\S+) saying \"Hi\"|(\d+) of (\S+)\)", info.description)
    assert counts, info.description
    server = start_server("balance-runs-out")
    for found in counts:
        count, model = (found[0], found[1]) if found[0] else (found[2], found[3])
        server.clear()
        statuses = [chat(server, model=model).status_code for _ in range(int(count) + 1)]
        assert statuses == [200] * int(count) + [403], (model, statuses)


def test_conversation_calls_the_weather_tool_only_when_tools_are_offered(start_server: ServerFactory) -> None:
    server = start_server("conversation")
    asked = [{"role": "user", "content": "What is the weather in Paris?"}]
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    plain = chat(server, messages=asked).json()["choices"][0]
    assert plain["finish_reason"] == "stop"
    called = chat(server, messages=asked, tools=[tool]).json()["choices"][0]
    assert called["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_web_search_cites_only_when_the_request_asks_to_search(start_server: ServerFactory) -> None:
    server = start_server("web-search")
    question = [{"role": "user", "content": "What is PinMe?"}]
    assert "annotations" not in chat(server, messages=question).json()["choices"][0]["message"]
    for extra in (
        {"tools": [{"type": "openrouter:web_search"}]},
        {"plugins": [{"id": "web"}]},
        {"model": "openai/gpt-4o-mini:online"},
    ):
        message = chat(server, messages=question, **extra).json()["choices"][0]["message"]
        assert message["annotations"][0]["type"] == "url_citation", extra


# 12. GET /


def test_the_root_says_where_things_are(server: MockPinme) -> None:
    as_json = httpx.get(server.url_for("/"))
    assert as_json.status_code == 200
    body = as_json.json()
    assert (body["service"], body["scenario"], body["inspector"]) == ("mockpinme", "default", "/__mockpinme/")
    paths = {e["path"] for e in body["endpoints"]}
    assert {"/__mockpinme/health", "/__mockpinme/requests", "/api/v1/models"} <= paths
    for endpoint in body["endpoints"]:
        if endpoint["method"] == "GET" and endpoint["path"] not in ("/__mockpinme/",):
            path = endpoint["path"]
            answered = httpx.get(server.url_for(path), headers={"X-API-Key": KEY})
            assert answered.status_code == 200, path
    browser = httpx.get(server.url_for("/"), headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["Content-Type"].startswith("text/html")
    assert "href='/__mockpinme/'" in browser.text and "docs/control-api.md" in browser.text


# 13. the rate limiter in the journal


def test_a_rate_limited_call_names_the_limiter_in_the_journal(start_server: ServerFactory) -> None:
    server = start_server("rate-limited")
    assert [chat(server).status_code for _ in range(3)] == [200, 200, 429]
    assert [e.rule for e in server.requests] == ["fallback", "fallback", "rate_limits"]
    assert server.last_request is not None and server.last_request.error == "openrouter.rate_limited"


# 14. n


def test_n_choices_for_a_model_that_lists_n_and_one_for_the_rest(start_server: ServerFactory) -> None:
    server = start_server(
        {"models": {"add": [{"id": "acme/many", "supported_parameters": ["n", "max_tokens", "temperature"]}]}}
    )
    client = openai.OpenAI(**server.client_options(KEY, PROJECT), max_retries=0)
    many = client.chat.completions.create(model="acme/many", messages=HI, n=3)  # type: ignore[arg-type]
    assert [c.index for c in many.choices] == [0, 1, 2]
    texts = [c.message.content for c in many.choices]
    assert len(set(texts)) == 3
    again = client.chat.completions.create(model="acme/many", messages=HI, n=3)  # type: ignore[arg-type]
    assert [c.message.content for c in again.choices] == texts
    one = client.chat.completions.create(model="acme/many", messages=HI)  # type: ignore[arg-type]
    assert many.usage is not None and one.usage is not None
    assert many.usage.completion_tokens > one.usage.completion_tokens
    ignored = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HI, n=2)  # type: ignore[arg-type]
    assert len(ignored.choices) == 1


def test_scenarios_dir_comes_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("rules:\n  - respond: {content: from the env folder}\n")
    env = {**os.environ, "MOCKPINME_SCENARIOS_DIR": f"{tmp_path / 'other'}{os.pathsep}{tmp_path}"}
    command = [sys.executable, "-m", "mockpinme", "serve", "--port", "0", "--speed", "0"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    ) as p:
        try:
            assert p.stdout is not None
            url = p.stdout.readline().split()[3]
            switched = httpx.put(f"{url}/__mockpinme/scenario", json={"name": "mine"})
            assert switched.json() == {"status": "ok", "scenario": "mine"}
            body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
            reply = httpx.post(
                f"{url}/api/v1/chat/completions?project_name=p", json=body, headers={"X-API-Key": "k"}
            )
            assert reply.json()["choices"][0]["message"]["content"] == "from the env folder"
        finally:
            p.terminate()
