#!/usr/bin/env python3
"""A stand-in ``docker`` for running the docs' CI recipes where no Docker daemon is: ``build``
checks the context has the Dockerfile; ``run -d`` starts the image's ENTRYPOINT as a local process
(the host port of ``-p`` as its port, ``-e`` as its environment); ``logs``, ``stop`` and ``rm -f``."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

STATE = Path(os.environ["FAKE_DOCKER_STATE"])
ROOT = Path(os.environ["FAKE_DOCKER_ROOT"])


def entrypoint() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    return json.loads(re.search(r"^ENTRYPOINT\s+(.+)$", text, re.MULTILINE).group(1))


def run(args: list[str]) -> int:
    env, name, port, i = dict(os.environ), "container", None, 0
    detached = False
    while args[i].startswith("-"):
        flag = args[i]
        if flag in ("-d", "--rm"):
            detached = detached or flag == "-d"
            i += 1
            continue
        value = args[i + 1]
        if flag == "-e":
            key, _, val = value.partition("=")
            env[key] = val
        elif flag == "-p":
            port = value.split(":")[0]
        elif flag == "--name":
            name = value
        i += 2
    extra = args[i + 1 :]
    command = [*entrypoint(), *extra] + (["--port", port] if port else [])
    log = (STATE / f"{name}.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (STATE / f"{name}.pid").write_text(str(process.pid))
    print(f"{name}-0123456789ab")
    return 0 if detached else process.wait()


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "build":
        context = Path(args[-1])
        return 0 if (context / "Dockerfile").is_file() else 1
    if command == "run":
        return run(args)
    if command == "logs":
        sys.stdout.write((STATE / f"{args[-1]}.log").read_text())
        return 0
    if command in ("stop", "rm"):
        pid_file = STATE / f"{args[-1]}.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
            pid_file.unlink()
        return 0
    print(f"fake docker: {command} is not supported", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
