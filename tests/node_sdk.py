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


def npm_installed(folder: Path) -> Path:
    """``folder`` with its locked npm packages installed (``npm ci`` the first time)."""
    if not (folder / "node_modules").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True, timeout=600
        )
    return folder


def node_sdk(
    server: MockPinme, sdk: str, mode: str, body: dict[str, Any] | None = None, **env: str
) -> dict[str, Any]:
    """What the ``openai`` or ``@openrouter/sdk`` npm package returned or threw."""
    return node_script(server, ["client.mjs", sdk, mode], body, **env)


def ai_sdk(server: MockPinme, mode: str, body: dict[str, Any], **env: str) -> dict[str, Any]:
    """What the Vercel AI SDK with ``@openrouter/ai-sdk-provider`` returned or threw."""
    return node_script(server, ["aisdk.mjs", mode], body, **env)


def guide(server: MockPinme, function: str, args: dict[str, Any] | None = None, **env: str) -> dict[str, Any]:
    """Run one of PinMe's guide functions (tests/node/guide.mjs, copied from the guide)."""
    return node_script(server, ["guide.mjs", function], args, **env)


def node_script(server: MockPinme, argv: list[str], body: Any, **env: str) -> Any:
    """Run a script of tests/node against ``server``; its one JSON line (an object gets its stderr
    added as ``stderr``)."""
    result = subprocess.run(
        ["node", *argv],
        cwd=npm_installed(NODE_DIR),
        input=json.dumps(body if body is not None else {}),
        env={**os.environ, "BASE_URL": server.base_url, "API_KEY": KEY, "PROJECT": PROJECT, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    if isinstance(out, dict):
        out["stderr"] = result.stderr
    return out
