"""The ``mockpinme`` command: ``serve``, ``record``, ``wait``, ``validate``, ``scenarios``, ``models``,
``schema``."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ._version import __version__
from .engine.settings import BODY_TIMEOUT_S, HEADER_TIMEOUT_S, IDLE_TIMEOUT_S
from .scenario import ScenarioError, builtins, load_scenario

DEFAULT_PORT = 8790
TOKEN_ENV = "MOCKPINME_CONTROL_TOKEN"
SCENARIO_ENV = "MOCKPINME_SCENARIO"
DIRS_ENV = "MOCKPINME_SCENARIOS_DIR"


def _speed(text: str) -> float:
    from .engine.clock import check_speed

    try:
        return check_speed(float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a number of seconds above 0")
    return value


def env_dirs() -> list[Path]:
    """The folders ``$MOCKPINME_SCENARIOS_DIR`` names (separated like ``PATH``)."""
    return [Path(p) for p in os.environ.get(DIRS_ENV, "").split(os.pathsep) if p]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockpinme", description="A local mock of PinMe's LLM proxy.")
    parser.add_argument("--version", action="version", version=f"mockpinme {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the mock until SIGINT or SIGTERM")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"0 picks a free port (default {DEFAULT_PORT})",
    )
    serve.add_argument(
        "--scenario",
        default=os.environ.get(SCENARIO_ENV) or "default",
        help=f"a built-in name or a YAML file (or ${SCENARIO_ENV}; default 'default')",
    )
    serve.add_argument("--seed", type=int, help="replace the scenario's seed")
    serve.add_argument("--speed", type=_speed, default=1.0, help="factor on every delay; 0 never sleeps")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--watch", action="store_true", help="reload the scenario file when it changes")
    serve.add_argument("--cors", action="store_true", help="answer browsers' preflights, add CORS headers")
    serve.add_argument(
        "--control-token",
        default=os.environ.get(TOKEN_ENV),
        help=f"token for the control API (or ${TOKEN_ENV}); needed when bound off loopback",
    )
    serve.add_argument("--journal-limit", type=int, default=1000, help="requests kept in the journal")
    serve.add_argument(
        "--scenarios-dir",
        action="append",
        type=Path,
        metavar="DIR",
        help="a folder whose scenario files the control API and X-Mockpinme-Scenario may load"
        f" (repeatable; default: ${DIRS_ENV}, else the folder of the --scenario file)",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name the control API answers besides localhost, 127.0.0.1, [::1] (repeatable)",
    )
    for name, default, what in (
        ("header", HEADER_TIMEOUT_S, "a request's headers"),
        ("body", BODY_TIMEOUT_S, "a request's body"),
        ("idle", IDLE_TIMEOUT_S, "an idle connection's next request"),
    ):
        serve.add_argument(
            f"--{name}-timeout",
            type=_positive,
            default=default,
            metavar="S",
            help=f"seconds to wait for {what} (default {default:g})",
        )
    serve.add_argument(
        "--loop",
        choices=["auto", "uvloop", "asyncio"],
        default="auto",
        help="event loop (auto: uvloop if installed)",
    )

    wait = commands.add_parser("wait", help="wait until a server at URL is healthy (exit 1 on timeout)")
    wait.add_argument("url", help="the server's base URL, such as http://127.0.0.1:8790")
    wait.add_argument("--timeout", type=_speed, default=30.0, help="seconds to wait (default 30)")

    _record_parser(commands)

    validate = commands.add_parser("validate", help="check scenario files (or built-in names)")
    validate.add_argument("files", nargs="+")

    commands.add_parser("scenarios", help="list the built-in scenarios")
    models = commands.add_parser("models", help="list the models a scenario serves")
    models.add_argument("--filter", default="", help="only lines holding this text (any case)")
    models.add_argument("--scenario", default="default", help="whose catalog (default 'default')")
    commands.add_parser("schema", help="print the JSON Schema of scenario files")
    return parser


def _regex(text: str) -> str:
    try:
        re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"not a valid regular expression: {exc}") from None
    return text


def _record_parser(commands: Any) -> None:
    record = commands.add_parser("record", help="proxy to the real service and write a scenario of it")
    record.add_argument("--upstream", required=True, help="https://pinme.cloud or https://openrouter.ai")
    record.add_argument("--out", required=True, type=Path, help="the scenario file to write")
    record.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    record.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"0 picks a free port (default {DEFAULT_PORT})"
    )
    record.add_argument(
        "--redact", action="append", default=[], type=_regex, help="a regex to keep out (repeatable)"
    )
    record.add_argument(
        "--forward-side-effects", action="store_true", help="forward send_email and auth calls"
    )
    record.add_argument(
        "--upstream-api",
        choices=["auto", "pinme", "openrouter"],
        default="auto",
        help="how to authenticate upstream (auto: OpenRouter for openrouter.ai)",
    )
    record.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    record.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


def _record(args: argparse.Namespace) -> int:
    from .http.serve import configure_logging, run
    from .record.serve import record, recorder
    from .record.upstream import Upstream, UpstreamError

    configure_logging(args.log_level)
    try:
        upstream = Upstream.of(args.upstream, args.upstream_api, os.environ)
    except UpstreamError as exc:
        print(f"mockpinme record: {exc}", file=sys.stderr)
        return 2
    if args.out.exists() and not args.overwrite:
        print(f"mockpinme record: {args.out} exists (pass --overwrite to replace it)", file=sys.stderr)
        return 2
    recording = recorder(upstream, args.out, args.redact, args.forward_side_effects)
    try:
        run(record(recording, args.host, args.port))
    except OSError as exc:
        reason = "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        print(f"mockpinme: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 2
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .engine.settings import Settings
    from .engine.state import ServerState
    from .http.app import is_loopback
    from .http.serve import configure_logging, run, serve
    from .scenario.access import default_dirs
    from .scenario.load import resolve

    configure_logging(args.log_level)
    settings = Settings(
        seed=args.seed,
        speed=args.speed,
        journal_limit=args.journal_limit,
        control_token=args.control_token or None,
        token_required=not is_loopback(args.host),
        cors=args.cors,
        scenarios_dirs=tuple(args.scenarios_dir or env_dirs() or default_dirs(args.scenario)),
        allowed_hosts=tuple(args.allow_host),
        header_timeout_s=args.header_timeout,
        body_timeout_s=args.body_timeout,
        idle_timeout_s=args.idle_timeout,
    )
    try:
        state = ServerState.create(args.scenario, settings)
    except ScenarioError as exc:
        _print_problems(exc, args.scenario, sys.stderr)
        return 1
    if settings.token_required and settings.control_token is None:
        print(
            f"mockpinme: warning: bound to {args.host} without a control token; the control API"
            f" (/__mockpinme/...) answers 403 until you start with --control-token TOKEN or ${TOKEN_ENV}",
            file=sys.stderr,
        )
    watch = resolve(args.scenario) if args.watch else None
    try:
        run(serve(state, args.host, args.port, state.scenarios.active.name, watch), args.loop)
    except OSError as exc:
        reason = "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        print(f"mockpinme: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 2
    return 0


def _print_problems(exc: ScenarioError, reference: str, stream: TextIO) -> None:
    for problem in exc.problems:
        print(problem if problem.mark else f"{reference}: {problem.message}", file=stream)


def _validate(references: Sequence[str]) -> int:
    from .scenario.load import is_path

    failed = False
    for reference in references:
        path = Path(reference)
        try:
            load_scenario(path.resolve() if path.exists() or is_path(reference) else reference)
        except ScenarioError as exc:
            failed = True
            _print_problems(exc, reference, sys.stdout)
        else:
            print(f"{reference}: ok", file=sys.stderr)
    return 1 if failed else 0


def _wait(url: str, timeout: float) -> int:
    from .wait import READY, wait

    waited = wait(url, timeout)
    print(waited.message, file=sys.stdout if waited.status == READY else sys.stderr)
    return waited.status


def _models(scenario: str, needle: str) -> int:
    from .listing import rows, table

    try:
        found = list(rows(load_scenario(scenario), needle))
    except ScenarioError as exc:
        _print_problems(exc, scenario, sys.stderr)
        return 1
    if not found:
        print(f"no model of {scenario}'s catalog matches {needle!r}", file=sys.stderr)
        return 1
    for line in table(found):
        print(line)
    return 0


def _scenarios() -> int:
    found = builtins()
    width = max(len(b.name) for b in found)
    for info in found:
        print(f"{info.name:<{width}}  {info.description}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "record":
        return _record(args)
    if args.command == "validate":
        return _validate(args.files)
    if args.command == "wait":
        return _wait(args.url, args.timeout)
    if args.command == "models":
        return _models(args.scenario, args.filter)
    if args.command == "schema":
        from .scenario.schema import scenario_schema

        print(json.dumps(scenario_schema(), indent=2))
        return 0
    return _scenarios()


if __name__ == "__main__":
    sys.exit(main())
