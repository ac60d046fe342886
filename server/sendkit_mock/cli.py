"""`sendkit-mock serve` runs the mock; `contract` checks any deployment against the bundled openapi.yaml."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from . import __version__
from .contract.command import add_parser as add_contract_parser
from .contract.command import run as run_contract
from .domain.world import FixtureError
from .errors import MissingExtra, need
from .runtime.limits import Limits, quiet_accept_errors, raise_descriptor_limit
from .runtime.tls import (
    NAMES,
    STOP_SECONDS,
    Certificate,
    TlsError,
    ca_directory,
    certificate_for,
    local_ca,
    trust_hints,
)
from .session.snapshot import StateFileError
from .settings import Settings, SettingsError


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="sendkit-mock", description=__doc__,
                                   epilog="`sendkit-mock COMMAND --help` for a command's flags and their defaults")
    root.add_argument("--version", action="version", version=f"sendkit-mock {__version__}")
    commands = root.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the mock server (settings also from SENDKIT_MOCK_* variables)")
    serve.add_argument("--host", help="the address to listen on; beyond loopback the control plane needs "
                                      "--admin-token")
    serve.add_argument("--port", type=int, help="the port to listen on (0: any free port)")
    serve.add_argument("--seed", type=int, help="the seed for ids, failures and report content")
    serve.add_argument("--fixtures", type=Path, help="a world YAML file (default: fixtures/world.yaml)")
    serve.add_argument("--queued-seconds", type=float, help="time a report stays queued")
    serve.add_argument("--processing-seconds", type=float, help="time a report stays processing")
    serve.add_argument("--failure-rate", type=float, help="share of reports that fail, 0 to 1")
    serve.add_argument("--max-reports", type=int, help="stored reports per session before the oldest finished go "
                                                       "(default 100000)")
    serve.add_argument("--max-reports-total", type=int, help="reports held by the process across sessions, with "
                                                             "the embedded store; past it a create drops its "
                                                             "session's oldest finished report, or is a 503 when "
                                                             "there is none (default 100000)")
    serve.add_argument("--log-budget-mib", type=int, help="MiB the journals, outboxes and webhook attempt logs of "
                                                          "every session hold together, with the embedded store; "
                                                          "past it the oldest entries go (default 128)")
    serve.add_argument("--webhook-backoff-seconds", type=float, help="wait before the first webhook retry")
    serve.add_argument("--delivery-workers", type=int, help="webhook calls under way at once")
    serve.add_argument("--cors-origins", help="comma-separated allowed origins, or *")
    serve.add_argument("--clock", dest="clock_mode", choices=["real", "manual"],
                       help="every session's clock: real (default) follows the system clock, manual stands still "
                            "until POST /__mock/clock moves it (CI)")
    serve.add_argument("--max-sessions", type=int, help="sessions kept; past it the least recently used goes")
    serve.add_argument("--state", type=Path, help="a state file (GET /__mock/state) for the default session")
    serve.add_argument("--admin-token", help="require X-Mock-Admin-Token with this value on every /__mock call")
    serve.add_argument("--allowed-hosts", help="comma-separated host names the control plane and the dashboard "
                                               "answer under, beyond IP addresses and localhost (a Host header "
                                               "naming another is a 403: DNS rebinding)")
    serve.add_argument("--open-control-plane", action="store_const", const=True,
                       help="beyond loopback, leave /__mock open without --admin-token (anyone who reaches the port "
                            "can reset, rewind and export every session)")
    serve.add_argument("--webhook-allow", help="beyond loopback, where webhooks may point: comma-separated host "
                                               "names, *.example.com patterns and CIDR ranges (default: nowhere)")
    serve.add_argument("--journal-size", type=int, help="requests journaled per session (0: no journal)")
    serve.add_argument("--latency", help="API latency in ms: 150, uniform:50-400 or lognormal:median=120,sigma=0.5")
    serve.add_argument("--error-rate", type=float, help="share of API requests answered 500 or 503, 0 to 1")
    serve.add_argument("--rate-limit", help="API requests per key and session: 20/s, 600/min or 5000/h (then 429)")
    serve.add_argument("--store", help="where sessions live: memory (default) or redis://HOST:PORT/DB[?prefix=NAME], "
                                       "shared by every worker and host that uses it")
    serve.add_argument("--workers", type=int, help="worker processes on the port (needs --store redis://...)")
    serve.add_argument("--session-idle-seconds", type=float,
                       help="with a shared store, sessions unused this long are dropped (default 86400)")
    serve.add_argument("--watch", action="store_const", const=True,
                       help="reload the fixtures and openapi.yaml when they change, keeping every session's state "
                            "(a file with a mistake keeps the previous world, logged)")
    serve.add_argument("--tls", action="store_const", const=True,
                       help="HTTPS on --port, with a certificate for localhost, 127.0.0.1 and ::1 from the mock's "
                            "local CA (made once; `sendkit-mock ca` prints its path)")
    serve.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate chain (PEM) instead")
    serve.add_argument("--tls-key", type=Path, help="the private key (PEM, unencrypted) of --tls-cert")
    serve.add_argument("--tls-port", type=int, help="HTTPS on this port beside plain HTTP on --port (one state)")
    serve.add_argument("--data-dir", type=Path, help="where the local CA is kept (default: the user's data "
                                                     "directory, e.g. ~/.local/share/sendkit-mock)")
    serve.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"],
                       help="the least severe log line written")
    serve.add_argument("--no-access-log", dest="access_log", action="store_const", const=False,
                       help="no line per request (the batched access log costs a few per cent of throughput)")
    _add_bounds(serve)

    authority = commands.add_parser(
        "ca", help="print the path of the local CA that `serve --tls` signs with (made if missing)",
        description="Prints the CA certificate's path, so a script can hand it to a client: "
                    "export SSL_CERT_FILE=$(sendkit-mock ca)")
    authority.add_argument("--data-dir", type=Path,
                           help="where the local CA is kept (default: the user's data directory)")

    add_contract_parser(commands)

    proxy = commands.add_parser(
        "proxy", help="forward to a real server, checking every request and answer against openapi.yaml",
        description="Every request goes to --upstream as sent and its answer comes back as received; both are "
                    "checked against the contract, each violation logged and journaled (GET /__mock/requests: "
                    "violations, responseViolations). With --errors a violating answer becomes a 502.")
    proxy.add_argument("--upstream", required=True, help="the server to forward to, e.g. https://api.sendkit.example")
    proxy.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    proxy.add_argument("--port", type=int, default=4011, help="the port to listen on")
    proxy.add_argument("--errors", action="store_true", help="answer 502 (SendKit's shape) for a violating answer")
    proxy.add_argument("--journal-size", type=int, default=1000, help="requests kept in the journal")
    proxy.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the upstream")
    proxy.add_argument("--spec", type=Path, help="another contract instead of the bundled openapi.yaml")
    proxy.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                       help="the least severe log line written")
    settings = Settings()
    for command, sub in commands.choices.items():
        from_settings = command in ("serve", "ca")  # their defaults are the settings' (None: read from Settings)
        _show_defaults(sub, lambda action, ours=from_settings: getattr(settings, action.dest, None) if ours
                       else action.default)
    return root


def _show_defaults(command: argparse.ArgumentParser, default_of: Any) -> None:
    """Every flag's help ends with its default, unless it says it already (or has none to say)."""
    for action in command._actions:  # argparse's own list of a parser's arguments
        if not action.option_strings or action.help in (None, argparse.SUPPRESS) or "(default" in action.help:
            continue
        if isinstance(action, argparse._StoreConstAction | argparse._StoreTrueAction | argparse._HelpAction):
            continue
        if action.required:
            continue
        value = default_of(action)
        if value is None or value == "":
            action.help += " (default: none)"
        else:
            action.help += f" (default {value:g})" if isinstance(value, float) else f" (default {value})"


def _add_bounds(serve: argparse.ArgumentParser) -> None:
    """What one connection may take (runtime/limits.py); the defaults shown are the settings'."""
    defaults = {f.name: f.default for f in fields(Settings)}
    bounds = serve.add_argument_group("connection bounds")
    bounds.add_argument("--header-timeout", type=float, metavar="SECONDS",
                        help="close a connection whose request line and headers are not in within this time, "
                             f"answering 408 if it sent any (default {defaults['header_timeout']:g})")
    bounds.add_argument("--body-timeout", type=float, metavar="SECONDS",
                        help="answer 408 and close when a request's body is not in within this time after its "
                             f"headers (default {defaults['body_timeout']:g})")
    bounds.add_argument("--keepalive-timeout", type=int, metavar="SECONDS",
                        help=f"close an idle kept-alive connection after this time (default "
                             f"{defaults['keepalive_timeout']:g})")
    bounds.add_argument("--max-header-bytes", type=int, metavar="BYTES",
                        help="answer 431 and close when the request line and headers grow past this "
                             f"(default {defaults['max_header_bytes']}, Node's)")
    bounds.add_argument("--max-connections", type=int, metavar="N",
                        help="open connections per process; more are answered 503 with Retry-After (default "
                             f"{defaults['max_connections']}, lowered to fit the file descriptor limit)")


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    try:
        return _main(argv, environ)
    except MissingExtra as exc:  # a feature of an extra the install left out: say which one adds it
        print(f"sendkit-mock: {exc}", file=sys.stderr)
        return 2


def _main(argv: Sequence[str] | None, environ: Mapping[str, str] | None) -> int:
    arguments = parser()
    args = vars(arguments.parse_args(argv))
    command = args.pop("command")
    if command is None:  # bare `sendkit-mock`: every command, and how to learn more
        arguments.print_help(sys.stderr)
        return 2
    if command == "contract":
        need("contract", "schemathesis", "hypothesis")
        return run_contract(args)
    if command == "proxy":
        return proxy(args)
    try:
        settings = Settings.from_env(os.environ if environ is None else environ, **args)
        if command == "serve":
            return serve(settings)
        if command == "ca":
            return ca(settings)
    except (SettingsError, FixtureError, StateFileError, TlsError) as exc:
        print(f"sendkit-mock: {exc}", file=sys.stderr)
        return 2
    return 1


def serve(settings: Settings) -> int:
    from .domain.world import load_world

    world = load_world(settings.fixtures)  # a bad fixture file stops start-up here, in every mode
    if settings.store != "memory":
        need("redis", "redis")
        from .errors import StoreUnavailable
        from .stores.redis import RedisStores

        try:
            RedisStores.connect(settings.store).ping()  # a wrong URL or a Redis that is down stops start-up
        except (StoreUnavailable, ValueError) as exc:
            print(f"sendkit-mock: --store {_hidden(settings.store)}: {exc}", file=sys.stderr)
            return 2
    certificate = certificate_for(settings)  # a bad certificate stops start-up; the local CA is made here once
    urls = [f"{scheme}://{settings.host}:{port}" for scheme, port in settings.listeners]
    base = urls[0]
    keys = ", ".join(f"{w.name}: {w.api_key}" for w in world.workspaces[:1]) + f", platform: {world.users[0].api_key}"
    page = f"{base}/" + ("#admin_token=<the --admin-token>" if settings.admin_token is not None else "")
    print(f"sendkit-mock on {' and '.join(urls)} | keys: {keys} | dashboard {page} | docs {base}/ui/ | "
          f"seed {settings.seed}", flush=True)
    print(f"control plane {base}/__mock: {_control_plane(settings)} | webhooks: {_webhooks(settings)}", flush=True)
    print(f"store: {_store(settings)}", flush=True)
    if certificate is not None:
        print(f"tls: {_tls(certificate)}", flush=True)
    if settings.workers > 1:
        from .runtime.workers import Supervisor

        return Supervisor(settings, run_worker).run()
    run_worker(settings)
    return 0


def ca(settings: Settings) -> int:
    need("tls", "trustme", "platformdirs")
    print(local_ca(ca_directory(settings.data_dir)), flush=True)
    return 0


def _tls(certificate: Certificate) -> str:
    if certificate.ca_file is None:
        return f"your certificate {certificate.cert_file} (key {certificate.key_file})"
    return (f"certificate for {', '.join(NAMES)} from the local CA {certificate.ca_file}; trust it with "
            f"{trust_hints(certificate.ca_file)}")


def run_worker(settings: Settings, sockets: list[Any] | None = None) -> None:
    """One server process: the mock, its ticker and uvicorn, on `sockets` (a supervisor's, one per listener)
    or its own. Two listeners (--tls-port) are two uvicorn servers on one loop over the one app; the first
    runs the app's lifespan (the ticker, the deliveries) and the second starts once it has."""
    # connexion imports httpx, whose package imports its command-line tool (click, rich, pygments: 3 MiB of a
    # server's 80) whenever those are installed, as schemathesis installs them. The server never runs that
    # tool; marking it absent makes httpx take its own fallback for a missing CLI (`pip install httpx[cli]`).
    if "httpx" not in sys.modules:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    import uvicorn

    from .app import create_mock
    from .delivery.executors import PoolExecutor
    from .runtime.access_log import AccessLog

    served: Any
    if settings.watch:
        from .resources import spec_path
        from .runtime.reloading import Reloading

        def build(previous: Any) -> Any:
            return create_mock(settings, executor=PoolExecutor(settings.delivery_workers), keep=previous)

        served = Reloading(build, [settings.fixtures, spec_path()])
        mock = served.mock
    else:
        mock = create_mock(settings, executor=PoolExecutor(settings.delivery_workers), background=True)
        served = mock.app
    tune_garbage_collector()
    logged = settings.access_log and settings.log_level in ("info", "debug")
    app = AccessLog(served) if logged else served  # uvicorn's line, written in batches (runtime/access_log.py)
    certificate = certificate_for(settings)
    limits = _limits(settings)
    servers = []
    for n, (scheme, port) in enumerate(settings.listeners):
        tls = certificate.uvicorn_options() if scheme == "https" and certificate is not None else {}
        # asyncio's own loop: uvloop answered no faster here (the time goes to Python code, not to I/O) and
        # holds 2 MiB more (bench/compare.py)
        config = uvicorn.Config(app, host=settings.host, port=port, log_level=settings.log_level,
                                lifespan="on" if n == 0 else "off", http=mock.connections.protocol(limits),
                                timeout_keep_alive=settings.keepalive_timeout,
                                h11_max_incomplete_event_size=settings.max_header_bytes,  # the h11 fallback's own
                                access_log=False, loop="asyncio", ws="none",  # no WebSocket route: no websockets import
                                # The peer as the socket has it: an X-Forwarded-For from any local client would
                                # rename it, and the faults find a request's connection by that name (a 500).
                                proxy_headers=False, timeout_graceful_shutdown=STOP_SECONDS, **tls)
        servers.append((uvicorn.Server(config), None if sockets is None else [sockets[n]]))
    if len(servers) == 1:
        servers[0][0].run(sockets=servers[0][1])
    else:
        asyncio.run(_together(servers))


def _limits(settings: Settings) -> Limits:
    """The connection bounds, with as many descriptors as the hard limit lets the process have, and asyncio's
    failed accepts (descriptors all taken) logged once a second instead of thousands of times."""
    import logging

    descriptors = raise_descriptor_limit()
    limits = Limits.of(settings, descriptors)
    quiet_accept_errors()
    if limits.max_connections < settings.max_connections:
        logging.getLogger("sendkit_mock").warning(
            "at most %d connections, not %d: the file descriptor limit (ulimit -n) is %d", limits.max_connections,
            settings.max_connections, descriptors)
    return limits


async def _together(servers: list[tuple[Any, list[Any] | None]]) -> None:
    """Uvicorn servers side by side until one stops (a signal reaches the last started, which passes it on)."""
    (first, first_sockets), rest = servers[0], servers[1:]
    tasks = [asyncio.create_task(first.serve(sockets=first_sockets))]
    while not first.started and not tasks[0].done():
        await asyncio.sleep(0.01)
    tasks += [asyncio.create_task(server.serve(sockets=socks)) for server, socks in rest]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for server, _ in servers:
        server.should_exit = True
    await asyncio.gather(*tasks)


def _store(settings: Settings) -> str:
    if settings.store == "memory":
        return "memory (this process; --store redis://HOST:PORT/DB to share it among workers)"
    return f"{_hidden(settings.store)} shared by {settings.workers} worker{'s' if settings.workers != 1 else ''} here"


def _hidden(url: str) -> str:
    """A store URL as printed: a password in it stays off the screen and out of logs."""
    return re.sub(r"//[^@/]*@", "//***@", url)


def _control_plane(settings: Settings) -> str:
    if settings.admin_token is not None:
        return "needs X-Mock-Admin-Token (the dashboard: open /#admin_token=<token>)"
    if settings.loopback:
        return "open (loopback only)"
    return "OPEN to anyone who reaches this port (--open-control-plane)"


def _webhooks(settings: Settings) -> str:
    if settings.loopback:
        return "any destination but link-local, metadata and the mock itself"
    rules = settings.destinations(lambda host: []).rules
    return f"only to {', '.join(rules)}" if rules else "no destination allowed (--webhook-allow)"


def proxy(args: dict[str, Any]) -> int:
    import logging

    import uvicorn
    import yaml

    from .proxy import ContractCheck, ValidatingProxy
    from .resources import spec_path

    spec = args["spec"] or spec_path()
    try:
        document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        print(f"sendkit-mock proxy: --spec {spec}: {exc}", file=sys.stderr)
        return 2
    if not args["upstream"].startswith(("http://", "https://")) or args["journal_size"] < 0:
        print("sendkit-mock proxy: --upstream must be an http:// or https:// URL, --journal-size 0 or more",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=args["log_level"].upper(), format="%(levelname)s: %(name)s: %(message)s")
    app = ValidatingProxy(args["upstream"], ContractCheck(document), errors=args["errors"],
                          journal_size=args["journal_size"], timeout=args["timeout"])
    base = f"http://{args['host']}:{args['port']}"
    print(f"sendkit-mock proxy on {base} -> {args['upstream']} | checked against {spec.name}"
          f"{' | violating answers become 502' if args['errors'] else ''} | journal {base}/__mock/requests",
          flush=True)
    uvicorn.run(app, host=args["host"], port=args["port"], log_level=args["log_level"], lifespan="on")
    return 0


def tune_garbage_collector() -> None:
    """The collector, tuned for a server whose long-lived data only grows to its caps (bench/compare.py, p99).

    What the process holds from its start (the contract, connexion's routes, Faker's data) goes out of the
    collector's sight (`gc.freeze`). Young collections stay Python's (700 objects, ~0.2 ms: a request's own
    cyclic garbage dies there; 50,000 made each one a 40-50 ms pause). Full collections wait for 1,000 middle
    ones instead of 10: with 100,000 stored reports one walks ~a million objects (50-100 ms), and at Python's
    10 they came every few seconds under load, p99 at 8 connections 36-59 ms instead of 5-7. Sessions, reports
    and journal entries are freed by reference counting when evicted, so little waits for those collections.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1000)
