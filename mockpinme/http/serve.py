"""``mockpinme serve``: serve until SIGINT or SIGTERM, on uvloop when installed."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from ..engine.state import ServerState
from ..engine.verdict import judge
from .app import create_app, start, url_host
from .control import PREFIX
from .requestlog import request_log

log = logging.getLogger("mockpinme")


async def serve(
    state: ServerState, host: str, port: int, scenario_label: str, watch: Path | None = None
) -> None:
    """Serve until SIGINT or SIGTERM; prints one line with the real URL once listening (and the
    inspector's URL on stderr), and one with the verdict on shutdown.

    What start-up left in memory is frozen out of the garbage collector's passes: the process
    is the server's alone, and those passes would otherwise walk it again and again under load.
    """
    runner, bound = await start(create_app(state, watch=watch), host, port)
    request_log.direct_to(sys.stderr)
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    base = f"http://{url_host(host)}:{bound}"
    print(f"mockpinme listening on {base} (scenario: {scenario_label})", flush=True)
    hint = " (add #token=YOUR_CONTROL_TOKEN)" if state.settings.control_token else ""
    print(f"mockpinme inspector: {base}{PREFIX}/{hint}", file=sys.stderr, flush=True)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runner.cleanup()
        print(f"mockpinme verdict: {judge(state.runtime, state.scenarios).summary()}", flush=True)
        request_log.flush()
        request_log.direct_to(None)


def run(main: Coroutine[Any, Any, None], loop: str = "auto") -> None:
    """Run ``main`` to completion on uvloop (when installed and ``loop`` allows) or asyncio's loop."""
    if loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if loop == "uvloop":
                raise
        else:
            uvloop.run(main)
            return
    asyncio.run(main)


def configure_logging(level: str) -> None:
    """Logs to stderr, one line each; Faker's own chatter only from warnings up."""
    logging.basicConfig(
        stream=sys.stderr, level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("faker").setLevel(logging.WARNING)
