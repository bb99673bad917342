"""Scenario loading as an attacker tries it: the control API and the scenario header read only
built-in scenarios and files under ``--scenarios-dir``, say no more than that, never wait on a
file, and broken YAML (aliases, encodings) is a problem with its place wherever it is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mockpinme import MockPinme
from mockpinme.engine.state import SCENARIO_HEADER
from mockpinme.scenario.load import builtin_dir

from .attacks import BODY, alive, no_traceback, raw, request_bytes, watched_log
from .conftest import KEY, ServerFactory, chat_url

__all__ = ["watched_log"]

RECURSIVE = "name: loop\nseed: &a [*a]\n"
LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True)
)


def put(server: MockPinme, **body: object) -> httpx.Response:
    return httpx.put(server.url_for("/__mockpinme/scenario"), json=body, timeout=5)


def problems(response: httpx.Response) -> list[str]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["message"] == "the scenario is not valid" and error["code"] == 400
    return list(error["problems"])


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text("password: SECRET-1\nseed: SECRET-2\n")
    (allowed / "good.yaml").write_text("rules:\n  - respond: {content: from the folder}\n")
    return allowed, outside


def test_the_control_api_reads_no_file_outside_the_scenario_folders(
    start_server: ServerFactory, folders: tuple[Path, Path], watched_log: pytest.LogCaptureFixture
) -> None:
    allowed, outside = folders
    secret = outside / "secret.yaml"
    (allowed / "link.yaml").symlink_to(secret)
    (allowed / "escape.yaml").write_text("extends: ../outside/secret.yaml\n")
    (allowed / "typo.yaml").write_text("seed: seven\n")
    server = start_server(scenarios_dirs=[allowed])
    refused = "is refused: scenario files load only from the --scenarios-dir folders, as .yaml or .yml"
    seen: list[str] = []
    for reference in ("/etc/passwd", "/etc/shadow", str(secret), "../outside/secret.yaml"):
        found = problems(put(server, path=reference))
        assert found == [f"(top): {reference!r} {refused}"]
        seen += found
    assert problems(put(server, path=str(allowed / "link.yaml"))) == [
        f"(top): {str(allowed / 'link.yaml')!r} {refused}"
    ]
    for name in ("../../../../etc/passwd", "/etc/passwd", "secret", "good.yaml"):
        (problem,) = problems(put(server, name=name))
        assert problem.startswith(
            f"(top): {name!r} is not a built-in scenario or a scenario in --scenarios-dir;"
        )
        seen.append(problem)
    (escape,) = problems(put(server, path="escape.yaml"))
    assert escape == (
        f"{allowed / 'escape.yaml'}:1:1: extends: '../outside/secret.yaml' is refused: not a built-in"
        " scenario or a file under a --scenarios-dir folder"
    )
    (inline,) = problems(put(server, scenario={"extends": str(secret)}))
    assert inline.endswith("is refused: not a built-in scenario or a file under a --scenarios-dir folder")
    seen += [escape, inline]
    text = "\n".join(seen)
    assert "SECRET" not in text and "root:" not in text and str(builtin_dir()) not in text
    assert problems(put(server, path="typo.yaml")) == [
        f"{allowed / 'typo.yaml'}:1:1: seed: expected a whole number, got 'seven'"
    ]
    assert put(server, path="good.yaml").json() == {"status": "ok", "scenario": "good"}
    assert put(server, name="good").json() == {"status": "ok", "scenario": "good"}
    answer = httpx.post(server.url_for(chat_url()), json=BODY, headers={"X-API-Key": KEY})
    assert answer.json()["choices"][0]["message"]["content"] == "from the folder"
    put(server, name="default")
    alive(server)
    no_traceback(watched_log, server)


def test_without_scenario_folders_no_file_loads(
    server: MockPinme, folders: tuple[Path, Path], watched_log: pytest.LogCaptureFixture
) -> None:
    allowed, _ = folders
    assert problems(put(server, path=str(allowed / "good.yaml"))) == [
        f"(top): {str(allowed / 'good.yaml')!r} is refused: this server loads no scenario files"
        " (start it with --scenarios-dir DIR), as .yaml or .yml"
    ]
    alive(server)
    no_traceback(watched_log, server)


def test_the_start_scenario_folder_is_allowed_by_default(folders: tuple[Path, Path]) -> None:
    allowed, outside = folders
    with MockPinme(allowed / "good.yaml", speed=0) as server:
        assert put(server, path="good.yaml").status_code == 200
        assert put(server, path=str(outside / "secret.yaml")).status_code == 400


def test_a_fifo_a_device_a_huge_file_are_refused_without_waiting(
    start_server: ServerFactory, folders: tuple[Path, Path], watched_log: pytest.LogCaptureFixture
) -> None:
    allowed, _ = folders
    os.mkfifo(allowed / "pipe.yaml")
    (allowed / "zero.yaml").symlink_to("/dev/zero")
    (allowed / "huge.yaml").write_bytes(b"# " + b"x" * (5 << 20) + b"\n")
    server = start_server(scenarios_dirs=[allowed])
    assert problems(put(server, path="pipe.yaml")) == [
        f"(top): cannot read {str(allowed / 'pipe.yaml')!r}: not a regular file"
    ]
    assert problems(put(server, path="huge.yaml")) == [
        f"(top): cannot read {str(allowed / 'huge.yaml')!r}: larger than 4 MB"
    ]
    (zero,) = problems(put(server, path="zero.yaml"))
    assert zero.startswith("(top): 'zero.yaml' is refused: scenario files load only from")
    alive(server)
    no_traceback(watched_log, server)


def test_references_with_nul_surrogates_or_latin1_content_are_400(
    start_server: ServerFactory, folders: tuple[Path, Path], watched_log: pytest.LogCaptureFixture
) -> None:
    allowed, _ = folders
    (allowed / "latin.yaml").write_bytes(b"description: caf\xe9\n")
    server = start_server(scenarios_dirs=[allowed])
    assert problems(put(server, path="a\x00b.yaml")) == ["(top): 'a\\x00b.yaml' holds a NUL character"]
    surrogate = httpx.put(server.url_for("/__mockpinme/scenario"), content=b'{"path": "\\ud800.yaml"}')
    assert problems(surrogate) == ["(top): '\\ud800.yaml' is not valid Unicode text"]
    assert problems(put(server, path="latin.yaml")) == [
        f"{allowed / 'latin.yaml'}:1:17: (top): not UTF-8 text (byte 0xe9)"
    ]
    body = httpx.put(
        server.url_for("/__mockpinme/scenario"),
        content=b"name: x\ndescription: \xff\n",
        headers={"Content-Type": "application/yaml"},
    )
    assert problems(body) == ["<request body>:2:14: (top): not UTF-8 text (byte 0xff)"]
    alive(server)
    no_traceback(watched_log, server)


def test_the_scenario_header_picks_built_ins_and_scenario_folder_names_only(
    start_server: ServerFactory,
    folders: tuple[Path, Path],
    watched_log: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    allowed, _ = folders
    (tmp_path / "here.yaml").write_text("rules:\n  - respond: {content: from the working folder}\n")
    monkeypatch.chdir(tmp_path)
    server = start_server(scenarios_dirs=[allowed])

    def chat(name: str) -> httpx.Response:
        headers = {"X-API-Key": KEY, SCENARIO_HEADER: name}
        return httpx.post(server.url_for(chat_url()), json=BODY, headers=headers)

    assert chat("good").json()["choices"][0]["message"]["content"] == "from the folder"
    assert chat("low-balance").status_code == 403
    for name in ("here", "here.yaml", "../outside/secret", "/etc/passwd", "outside/secret.yaml"):
        refused = chat(name)
        assert refused.status_code == 400
        message = refused.json()["error"]["message"]
        assert message.startswith(f"mockpinme: {SCENARIO_HEADER}: {name!r} is not a built-in scenario or a")
        assert "a scenario in --scenarios-dir;" in message
        assert "SECRET" not in message and "working folder" not in message
    latin = raw(
        server, request_bytes("POST", chat_url(), {"X-API-Key": KEY, SCENARIO_HEADER: "caf\udce9"}, b"{}")
    )
    assert latin.status == 400
    assert latin.json()["error"]["message"].startswith(f"mockpinme: {SCENARIO_HEADER}: 'caf\\udce9' is not")
    alive(server)
    no_traceback(watched_log, server)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_aliases_and_encodings_are_problems_with_places_in_validate_and_serve(tmp_path: Path) -> None:
    loop = write(tmp_path, "loop.yaml", RECURSIVE)
    laughs = write(tmp_path, "laughs.yaml", LAUGHS)
    latin = write(tmp_path, "latin.yaml", b"name: x\ndescription: na\xefve\n")
    result = subprocess.run(
        [sys.executable, "-m", "mockpinme", "validate", str(loop), str(laughs), str(latin)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{loop}:2:7: (top): an alias refers to the value that holds it",
        f"{laughs}:2:4: (top): aliases expand past 10000 values",
        f"{latin}:2:16: (top): not UTF-8 text (byte 0xef)",
    ]
    assert "Traceback" not in result.stderr
    served = subprocess.run(
        [sys.executable, "-m", "mockpinme", "serve", "--port", "0", "--scenario", str(loop)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 1
    assert served.stderr.strip().endswith(f"{loop}:2:7: (top): an alias refers to the value that holds it")
    assert "Traceback" not in served.stderr


def test_aliases_sent_to_the_control_api_are_problems(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    for text, expected in (
        (RECURSIVE, "<request body>:2:7: (top): an alias refers to the value that holds it"),
        (LAUGHS, "<request body>:2:4: (top): aliases expand past 10000 values"),
    ):
        response = httpx.put(
            server.url_for("/__mockpinme/scenario"),
            content=text,
            headers={"Content-Type": "application/yaml"},
        )
        assert problems(response) == [expected]
    alive(server)
    no_traceback(watched_log, server)


def test_an_inline_scenario_reads_no_catalog_file_outside_the_folders(
    start_server: ServerFactory, folders: tuple[Path, Path], watched_log: pytest.LogCaptureFixture
) -> None:
    allowed, outside = folders
    (outside / "models.json").write_text('{"data": [{"id": "secret/model"}]}')
    os.mkfifo(allowed / "pipe.json")
    server = start_server(scenarios_dirs=[allowed])
    for reference in ("/etc/passwd", str(outside / "models.json"), "/dev/zero", str(allowed / "pipe.json")):
        found = problems(put(server, scenario={"models": {"catalog": reference}}))
        if reference.endswith("pipe.json"):
            assert found == [
                f"<inline>:1:1: models.catalog: cannot read catalog file {reference}: not a regular file"
            ]
        else:
            assert found == [
                f"<inline>:1:1: models.catalog: catalog file {reference!r} is refused:"
                " not a .json file under a --scenarios-dir folder"
            ]
    alive(server)
    no_traceback(watched_log, server)
