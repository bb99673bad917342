"""pytest fixtures and the ``mockpinme`` marker. The server itself is :class:`mockpinme.MockPinme`.

One server per test session (per xdist worker), cleared before every test. ``MOCKPINME_HOST`` and
``MOCKPINME_PORT`` pin its address (under xdist, worker N listens on the port + N).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .harness import MockPinme

_SERVING = pytest.StashKey[tuple[Any, Any]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockpinme(scenario='default', seed=None, speed=0, verdict=False): the scenario, seed and speed"
        " the `mockpinme` fixture serves for this test; verdict=True fails it unless the client behaved",
    )


def _address(config: pytest.Config) -> tuple[str, int]:
    host = os.environ.get("MOCKPINME_HOST", "127.0.0.1")
    port = int(os.environ.get("MOCKPINME_PORT", "0"))
    worker = getattr(config, "workerinput", {}).get("workerid", "")
    if port and worker.startswith("gw"):
        port += int(worker[2:])
    return host, port


def _beside_test(scenario: Any, request: pytest.FixtureRequest) -> Any:
    """A relative scenario path in a marker names a file beside the test file."""
    from .scenario.load import is_path

    if isinstance(scenario, Path) or (isinstance(scenario, str) and is_path(scenario)):
        path = Path(scenario)
        return str(path if path.is_absolute() else Path(request.node.path).parent / path)
    return scenario


@pytest.fixture(scope="session")
def mockpinme_server(pytestconfig: pytest.Config) -> Iterator[MockPinme]:
    """The session's server (one per xdist worker); prefer the ``mockpinme`` fixture."""
    from .harness import MockPinme

    host, port = _address(pytestconfig)
    server = MockPinme("default", host=host, port=port, speed=0)
    server.start()
    pytestconfig.stash[_SERVING] = ("default", None)
    yield server
    server.stop()


@pytest.fixture
def mockpinme(mockpinme_server: MockPinme, request: pytest.FixtureRequest) -> Iterator[MockPinme]:
    """The session's server, cleared, serving the scenario the marker names (``default`` else).

    ``@pytest.mark.mockpinme(scenario=..., seed=..., speed=...)`` sets them for one test; a relative
    scenario path is taken from the test file's folder; with ``verdict=True`` the test fails unless
    the verdict on its client is ok. A failure inside the server during the test is raised when the
    test ends.
    """
    marker = request.node.get_closest_marker("mockpinme")
    options = dict(marker.kwargs) if marker else {}
    wanted = (_beside_test(options.get("scenario", "default"), request), options.get("seed"))
    config = request.config
    mockpinme_server.clear()
    if not isinstance(wanted[0], str) or config.stash.get(_SERVING, None) != wanted:
        mockpinme_server.use(wanted[0], seed=wanted[1])
        config.stash[_SERVING] = wanted if isinstance(wanted[0], str) else (None, None)
    mockpinme_server.speed = options.get("speed", 0)
    yield mockpinme_server
    mockpinme_server.check()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """With ``@pytest.mark.mockpinme(verdict=True)``, a test that passed fails if the verdict is not ok."""
    result = yield
    marker = item.get_closest_marker("mockpinme")
    server = getattr(item, "funcargs", {}).get("mockpinme")
    if marker is not None and marker.kwargs.get("verdict") and server is not None:
        server.verdict().assert_ok()
    return result
