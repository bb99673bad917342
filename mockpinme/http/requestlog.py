"""The log line of each request, written cheaply: ``mockpinme serve`` writes the lines of one loop
iteration to stderr in one go, formatted as its logging does; elsewhere (``MockPinme``, pytest's
``caplog``) they go through the ``mockpinme`` logger."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TextIO

log = logging.getLogger("mockpinme")


class RequestLog:
    """Where request lines go: the logger, or straight to a stream once :meth:`direct_to` is called."""

    def __init__(self) -> None:
        self.stream: TextIO | None = None
        self.pending: list[str] = []
        self._second = -1
        self._stamp = ""

    def direct_to(self, stream: TextIO | None) -> None:
        """Write lines to ``stream`` (None: back to the logger)."""
        self.stream = stream

    def enabled(self) -> bool:
        return log.isEnabledFor(logging.INFO)

    def emit(self, line: str) -> None:
        """Log ``line`` at info level."""
        if self.stream is None:
            log.info(line)
            return
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        if not self.pending:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:
                self.pending.append(f"{self._stamp},{int(now * 1000) % 1000:03d} INFO mockpinme: {line}\n")
                self.flush()
                return
        self.pending.append(f"{self._stamp},{int(now * 1000) % 1000:03d} INFO mockpinme: {line}\n")

    def flush(self) -> None:
        """Write what is pending (a stream closed meanwhile sends lines back to the logger)."""
        lines, self.pending = self.pending, []
        if self.stream is not None and lines:
            try:
                self.stream.write("".join(lines))
                self.stream.flush()
            except (ValueError, OSError):
                self.stream = None


request_log = RequestLog()
