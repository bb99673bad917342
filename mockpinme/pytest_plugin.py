"""pytest fixtures and the ``mockpinme`` marker. The server itself is :class:`mockpinme.MockPinme`.

One server per test session (per xdist worker), reset before every test. ``MOCKPINME_HOST`` and
``MOCKPINME_PORT`` pin its address (under xdist, worker N listens on the port + N).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import MockPinme


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockpinme(scenario='default', seed=None, speed=0): the scenario, seed and speed the"
        " `mockpinme` fixture serves for this test",
    )


def _address(config: pytest.Config) -> tuple[str, int]:
    host = os.environ.get("MOCKPINME_HOST", "127.0.0.1")
    port = int(os.environ.get("MOCKPINME_PORT", "0"))
    worker = getattr(config, "workerinput", {}).get("workerid", "")
    if port and worker.startswith("gw"):
        port += int(worker[2:])
    return host, port


@pytest.fixture(scope="session")
def mockpinme_server(pytestconfig: pytest.Config) -> Iterator[MockPinme]:
    """The session's server (one per xdist worker); prefer the ``mockpinme`` fixture."""
    from .server import MockPinme

    host, port = _address(pytestconfig)
    server = MockPinme("default", host=host, port=port, speed=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mockpinme(mockpinme_server: MockPinme, request: pytest.FixtureRequest) -> Iterator[MockPinme]:
    """The session's server, with journal, counters, sequences, balances and scenario reset.

    ``@pytest.mark.mockpinme(scenario=..., seed=..., speed=...)`` sets them for one test. A failure
    inside the server during the test is raised when the test ends.
    """
    marker = request.node.get_closest_marker("mockpinme")
    options = dict(marker.kwargs) if marker else {}
    mockpinme_server.state.restore(options.get("scenario", "default"), seed=options.get("seed"))
    mockpinme_server.speed = options.get("speed", 0)
    mockpinme_server.state.failures.clear()
    yield mockpinme_server
    mockpinme_server.check()
