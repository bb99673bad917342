"""``serve --watch``: reload the scenario when its file (or one it extends) changes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiohttp import web

from ..engine.state import ServerState
from ..scenario import ScenarioError
from ..scenario.load import load_file, scenario_files
from .keys import SERVER

log = logging.getLogger("mockpinme")

POLL_S = 0.25
Stamp = tuple[int, int] | None


def _stamps(files: list[Path]) -> list[Stamp]:
    found: list[Stamp] = []
    for file in files:
        try:
            info = file.stat()
        except OSError:
            found.append(None)
        else:
            found.append((info.st_mtime_ns, info.st_size))
    return found


async def watch(state: ServerState, path: Path, poll_s: float = POLL_S) -> None:
    """Poll the files; on a change load again (off the event loop). A good edit replaces the scenario
    (streams in flight finish under the old one); a broken one, whatever is wrong, is logged in the
    ``validate`` format and the last good scenario stays, and watching goes on."""
    files = scenario_files(path)
    seen = _stamps(files)
    while True:
        await asyncio.sleep(poll_s)
        now = _stamps(files)
        if now == seen:
            continue
        seen = now
        try:
            scenario = await asyncio.to_thread(load_file, path)
            state.scenarios.use(scenario)
        except ScenarioError as exc:
            log.error("scenario not reloaded, keeping the last good one:\n%s", exc)
            continue
        except Exception as exc:
            log.error("scenario not reloaded, keeping the last good one: %s: %r", path, exc)
            continue
        files = await asyncio.to_thread(scenario_files, path)
        seen = _stamps(files)
        log.info("scenario reloaded from %s", path)


def watching(path: Path, poll_s: float = POLL_S) -> Callable[[web.Application], AsyncIterator[None]]:
    """A ``cleanup_ctx`` entry that watches ``path`` while the app runs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(watch(app[SERVER], path, poll_s))
        yield
        task.cancel()

    return context
