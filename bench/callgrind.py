"""Instructions per request, counted by ``valgrind --tool=callgrind``: a measure that the machine's
noise does not move.

A server runs under callgrind twice: once answering only a warm-up, once answering the warm-up
and then N requests, each sent after the previous reply by one plain keep-alive client. Its
instructions per request are (total with N - total with none) / N. In the second run
``callgrind_control --dump`` marks the warm-up's end and the N requests' end, so the dump between
the two is the request path alone; its top functions go to a text file. ``PYTHONHASHSEED=0``
keeps start-up's count the same from run to run.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from servers import HEADERS, Server, Started, running

READY_LIMIT_S = 180
TOP_FUNCTIONS = 30
ROW = re.compile(r"\s*[\d,]+ \(\s*([\d.]+)%\)\s+\S")


@dataclass(frozen=True)
class Count:
    """One server's instruction counts for one case."""

    server: str
    requests: int
    with_requests: int
    without: int
    window: int | None

    @property
    def per_request(self) -> float:
        return (self.with_requests - self.without) / self.requests

    @property
    def request_path(self) -> float:
        """Per request within the window (the requests alone), else from the totals.

        The totals also count what a server does at exit for the requests it kept: mockpinme
        judges its journal for the verdict there, which no request waits for."""
        return self.window / self.requests if self.window else self.per_request


def available() -> str | None:
    """None when valgrind and callgrind_control are installed, else what is missing."""
    missing = [
        tool for tool in ("valgrind", "callgrind_control", "callgrind_annotate") if not shutil.which(tool)
    ]
    return f"not installed: {', '.join(missing)}" if missing else None


def send(url: str, path: str, body: dict[str, Any], count: int) -> None:
    """``count`` requests, one after another, over one keep-alive connection."""
    parts = urlsplit(url)
    payload = json.dumps(body).encode()
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        for _ in range(count):
            connection.request("POST", path, body=payload, headers=HEADERS)
            reply = connection.getresponse()
            reply.read()
            if reply.status != 200:
                raise RuntimeError(f"{url}{path} answered {reply.status}")
    finally:
        connection.close()


def total(part: Path) -> int:
    match = re.search(r"^(?:summary|totals): (\d+)", part.read_text(errors="replace"), re.M)
    if not match:
        raise RuntimeError(f"no instruction total in {part}")
    return int(match.group(1))


def totals(out: Path) -> dict[str, int]:
    """Each part callgrind wrote for ``out`` by its suffix: "1", "2" for the dumps, "" for the end."""
    return {part.name[len(out.name) :].lstrip("."): total(part) for part in out.parent.glob(out.name + "*")}


def dump(live: Started) -> bool:
    done = subprocess.run(["callgrind_control", "--dump", str(live.pid)], capture_output=True, timeout=60)
    return done.returncode == 0


def one_run(
    server: Server, body: dict[str, Any], warmup: int, count: int, out: Path
) -> tuple[int, int | None]:
    """The whole run's instructions, and those of the window of ``count`` requests (if dumped)."""
    wrapper = ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}")
    server = replace(server, env={**server.env, "PYTHONHASHSEED": "0"})
    with running(server, wrapper, limit_s=READY_LIMIT_S, grace_s=READY_LIMIT_S) as live:
        send(live.url, server.chat_path, body, warmup)
        marked = dump(live)
        send(live.url, server.chat_path, body, count)
        marked = dump(live) and marked
    parts = totals(out)
    window = parts.get("2") if marked and len(parts) == 3 else None
    return sum(parts.values()), window


def measure(server: Server, body: dict[str, Any], count: int, warmup: int, folder: Path) -> Count:
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"\W+", "-", server.name)
    for stale in folder.glob(f"{slug}-*.out*"):
        stale.unlink()
    without, _ = one_run(server, body, warmup, 0, folder / f"{slug}-0.out")
    with_requests, window = one_run(server, body, warmup, count, folder / f"{slug}-{count}.out")
    return Count(server.name, count, with_requests, without, window)


def short(line: str) -> str:
    """A callgrind_annotate line without the build directories."""
    return re.sub(r"/\S*/(Python-[\d.]+|site-packages)/", "", line).replace(" [/root/.pyenv/versions/", " [")


def top_functions(count: Count, folder: Path, inclusive: bool) -> list[str]:
    """The top functions of the request window (part 2 of the run with requests)."""
    slug = re.sub(r"\W+", "-", count.server)
    part = folder / f"{slug}-{count.requests}.out.2"
    if not part.exists():
        return [f"(no request window for {count.server}: callgrind_control --dump did not answer)"]
    command = [
        "callgrind_annotate",
        f"--inclusive={'yes' if inclusive else 'no'}",
        "--threshold=100",
        "--auto=no",
        str(part),
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    rows = [(float(m.group(1)), line) for line in out.splitlines() if (m := re.match(ROW, line))]
    shown = [short(line) for share, line in rows if share < 99.9]
    return [line for line in shown if "PROGRAM TOTALS" not in line][:TOP_FUNCTIONS]


def write_profile(count: Count, case: str, folder: Path, path: Path) -> Path:
    """The request window's top functions, inclusive and self, for the engineers to read."""
    per = f"{count.window / count.requests:,.0f}" if count.window else "-"
    head = [
        f"# {count.server}, case {case}: {count.requests} requests after the warm-up, under callgrind",
        f"# per request: {count.per_request:,.0f} instructions (difference of totals), {per} (window)",
        "# callgrind sees C functions: the interpreter's, its extension modules' and the C libraries'",
        "# whole-window frames (the loop, main: 100% and above, recursion counted again) left out",
        "# inclusive ('2 marks a recursive call)",
    ]
    body = [*head, *top_functions(count, folder, True), "", "# self", *top_functions(count, folder, False)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(body) + "\n")
    return path
