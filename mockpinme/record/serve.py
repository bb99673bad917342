"""``mockpinme record``: run the proxy until SIGINT or SIGTERM, then write the scenario a last time."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from ..http.app import start, url_host
from .proxy import Recorder, create_app
from .redact import Redactor
from .upstream import Upstream
from .writer import ScenarioWriter

log = logging.getLogger("mockpinme.record")


def recorder(upstream: Upstream, out: Path, redact: list[str], forward_side_effects: bool) -> Recorder:
    """A recorder writing ``out``, with the upstream key among its secrets."""
    redactor = Redactor(redact)
    redactor.add_secret(upstream.key)
    writer = ScenarioWriter(out, upstream.base, redactor)
    return Recorder(upstream, writer, redactor, forward_side_effects)


async def record(recording: Recorder, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM; prints one line with the real URL once listening."""
    recording.writer.flush()
    runner, bound = await start(create_app(recording), host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"mockpinme recording on http://{url_host(host)}:{bound} -> {recording.upstream.base}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        recording.writer.flush()
        writer = recording.writer
        log.info("wrote %s: %d rules from %d exchanges", writer.out, len(writer.rules), writer.exchanges)
