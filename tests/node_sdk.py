"""Run the Node SDK client (tests/node/client.mjs) against a server and read its one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from mockpinme import MockPinme

from .conftest import KEY, PROJECT

NODE_DIR = Path(__file__).parent / "node"


def node_sdk(
    server: MockPinme, sdk: str, mode: str, body: dict[str, Any] | None = None, **env: str
) -> dict[str, Any]:
    """What the ``openai`` or ``@openrouter/sdk`` npm package returned or threw."""
    assert (NODE_DIR / "node_modules").is_dir(), "run `npm ci` in tests/node first (.ci/run does)"
    result = subprocess.run(
        ["node", "client.mjs", sdk, mode],
        cwd=NODE_DIR,
        input=json.dumps(body or {}),
        env={**os.environ, "BASE_URL": server.base_url, "API_KEY": KEY, "PROJECT": PROJECT, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    out["stderr"] = result.stderr
    return out
