"""`sendkit-mock serve`: one command from a checkout to a running mock."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .domain.world import FixtureError
from .settings import Settings, SettingsError
from .snapshot import StateFileError


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="sendkit-mock", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the mock server (settings also from SENDKIT_MOCK_* variables)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--seed", type=int, help="the seed for ids, failures and report content")
    serve.add_argument("--fixtures", type=Path, help="a world YAML file (default: fixtures/world.yaml)")
    serve.add_argument("--queued-seconds", type=float, help="time a report stays queued")
    serve.add_argument("--processing-seconds", type=float, help="time a report stays processing")
    serve.add_argument("--failure-rate", type=float, help="share of reports that fail, 0 to 1")
    serve.add_argument("--max-reports", type=int, help="stored reports before the oldest finished go")
    serve.add_argument("--webhook-backoff-seconds", type=float, help="wait before the first webhook retry")
    serve.add_argument("--delivery-workers", type=int, help="webhook calls under way at once")
    serve.add_argument("--cors-origins", help="comma-separated allowed origins, or *")
    serve.add_argument("--clock", dest="clock_mode", choices=["real", "manual"],
                       help="every session's clock: real (default) follows the system clock, manual stands still "
                            "until POST /__mock/clock moves it (CI)")
    serve.add_argument("--max-sessions", type=int, help="sessions kept; past it the least recently used goes")
    serve.add_argument("--state", type=Path, help="a state file (GET /__mock/state) for the default session")
    serve.add_argument("--admin-token", help="require X-Mock-Admin-Token with this value on every /__mock call")
    serve.add_argument("--journal-size", type=int, help="requests journaled per session (0: no journal)")
    serve.add_argument("--latency", help="API latency in ms: 150, uniform:50-400 or lognormal:median=120,sigma=0.5")
    serve.add_argument("--error-rate", type=float, help="share of API requests answered 500 or 503, 0 to 1")
    serve.add_argument("--rate-limit", help="API requests per key and session: 20/s, 600/min or 5000/h (then 429)")
    serve.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"])
    return root


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = vars(parser().parse_args(argv))
    command = args.pop("command")
    try:
        settings = Settings.from_env(os.environ if environ is None else environ, **args)
        if command == "serve":
            return serve(settings)
    except (SettingsError, FixtureError, StateFileError) as exc:
        print(f"sendkit-mock: {exc}", file=sys.stderr)
        return 2
    return 1


def serve(settings: Settings) -> int:
    import uvicorn

    from .app import create_mock
    from .delivery.executors import PoolExecutor

    mock = create_mock(settings, executor=PoolExecutor(settings.delivery_workers), background=True)
    world = mock.service.world
    base = f"http://{settings.host}:{settings.port}"
    keys = ", ".join(f"{w.name}: {w.api_key}" for w in world.workspaces[:1]) + f", platform: {world.users[0].api_key}"
    print(f"sendkit-mock on {base} | keys: {keys} | docs {base}/ui/ | seed {settings.seed}", flush=True)
    uvicorn.run(mock.app, host=settings.host, port=settings.port, log_level=settings.log_level, lifespan="on",
                http=mock.connections.protocol())
    return 0
