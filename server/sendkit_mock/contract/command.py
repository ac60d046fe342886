"""`sendkit-mock contract`: its arguments, its progress line on stderr, and its exit status (one per verdict)."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from ..rates import SYNTAX, Rate
from .observer import Progress
from .options import AUTO, LIMIT_ELSEWHERE, PHASES, CheckOptions, UsageError
from .report import junit_xml, summary
from .runner import check
from .verdict import MEANINGS

EPILOG = "verdicts and exit status (each has one meaning):\n" + "\n".join(
    f"  {word:<12} {status}  {meaning}" for word, status, meaning in MEANINGS) + """

An operation is checked when one of its cases reached its logic: an answer other than 401/403 (an operation
that needs a key), a documented answer (one that needs none). The reproductions read the key from
$SENDKIT_API_KEY."""


def add_parser(commands: Any) -> None:
    contract = commands.add_parser(
        "contract", help="check a deployment (the real API, a staging copy, a mock) against the bundled openapi.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Schemathesis with the bundled openapi.yaml against any server: each operation's examples and "
                    "coverage cases first, then fuzzing and the stateful links, every check. Safe by default: "
                    "/v1 only, reads and creates only, rate-limited on any host but loopback.")
    add = contract.add_argument
    add("--base-url", required=True, help="the deployment, e.g. https://api.sendkit.example")
    add("--api-key", required=True, help="a workspace key (sk_...) or a platform key (sk_user_...)")
    add("--workspace-id", help="sent as X-Workspace-Id (needed with a platform key)")
    add("--allow-destructive", action="store_true",
        help="also DELETE, PATCH and PUT, and webhook registration (the server calls those URLs)")
    add("--rate-limit", default=AUTO, help=f"requests per period as serve takes it (5/s, 100/min, 2000/h), 0 for none "
                                           f"(default: none "
                                           f"on 127.0.0.1, ::1 and localhost, {LIMIT_ELSEWHERE} on any other host)")
    add("--max-cases", type=int, default=2500,
        help="test cases in all, at least one per operation in scope; Schemathesis' probes and the checks' own "
             "follow-up requests (the same call without the key, say) come on top (default: %(default)s)")
    add("--max-examples", type=int, default=20, help="fuzzed cases per operation (default: %(default)s)")
    add("--phases", default=",".join(PHASES), help="comma-separated phases to run (default: all of them, %(default)s)")
    add("--seed", type=int, default=20261202, help="the generators' seed (default: %(default)s)")
    add("--request-timeout", type=float, default=10.0, help="seconds (default: %(default)s)")
    add("-H", "--header", action="append", default=[], help="an extra header, 'Name: value'")
    add("--junit-xml", type=Path, help="write a JUnit XML report here (one test per operation)")
    add("--spec", type=Path, help="another contract instead of the bundled openapi.yaml")


TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP header name (RFC 9110's token)
VISIBLE = re.compile(r"^[\x21-\x7e]+$")  # a key: printable ASCII, no space, no line break
HEADER_VALUE = re.compile(r"^[\t\x20-\x7e]*$")
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def options(args: dict[str, Any]) -> CheckOptions | list[str]:
    """The options, or what is wrong with the arguments (nothing is sent while anything is)."""
    phases = tuple(p.strip() for p in args["phases"].split(",") if p.strip())
    headers = [tuple(part.strip() for part in h.split(":", 1)) for h in args["header"]]
    problems = _target_problems(args) + _run_problems(args, phases)
    problems += [f"--header {h!r} is not 'Name: value' (a token name, a value of printable ASCII)"
                 for h, parsed in zip(args["header"], headers, strict=True)
                 if len(parsed) != 2 or not TOKEN.fullmatch(parsed[0]) or not HEADER_VALUE.fullmatch(parsed[1])]
    if problems:
        return problems
    return CheckOptions(
        base_url=args["base_url"], api_key=args["api_key"], workspace_id=args["workspace_id"],
        allow_destructive=args["allow_destructive"],
        rate_limit=None if args["rate_limit"] in ("0", "none") else _rate(args["rate_limit"]),
        max_cases=args["max_cases"], max_examples=args["max_examples"], phases=phases, seed=args["seed"],
        request_timeout=args["request_timeout"], headers=tuple((h[0], h[1]) for h in headers),
        **({"spec": args["spec"]} if args["spec"] is not None else {}))


def _target_problems(args: dict[str, Any]) -> list[str]:
    """What is wrong with where the run goes and who it says it is."""
    problems = []
    url = urlsplit(args["base_url"])
    if url.scheme.lower() not in ("http", "https") or not url.hostname:
        problems.append(f"--base-url {args['base_url']!r} is not an http:// or https:// URL with a host")
    elif url.query or url.fragment or url.username is not None:
        problems.append("--base-url takes a scheme, a host, a port and a path: no query, fragment or user:password")
    if not VISIBLE.fullmatch(args["api_key"]):
        problems.append("--api-key holds a space, a line break or a character outside printable ASCII "
                        "(a secret pasted with its newline?)")
    if args["workspace_id"] is not None and not OBJECT_ID.fullmatch(args["workspace_id"]):
        problems.append(f"--workspace-id {args['workspace_id']!r} is not a workspace id (24 hexadecimal digits)")
    keyed = [h for h in args["header"] if h.split(":", 1)[0].strip().lower() in ("x-api-key", "authorization")]
    if keyed:
        problems.append("-H may not set X-Api-Key or Authorization: the key goes in --api-key (it is never printed)")
    junit = args["junit_xml"]
    if junit is not None and (junit.is_dir() or any(p.exists() and not p.is_dir() for p in junit.parents)):
        problems.append(f"--junit-xml {junit}: not a file that can be written")
    if args["spec"] is not None and not args["spec"].is_file():
        problems.append(f"--spec {args['spec']}: not a file")
    return problems


def _run_problems(args: dict[str, Any], phases: tuple[str, ...]) -> list[str]:
    """What is wrong with how the run goes."""
    unknown = [p for p in phases if p not in PHASES]
    problems = [f"--phases: no phase {', '.join(unknown)} (the phases are {', '.join(PHASES)})"] if unknown else []
    if not phases:
        problems.append(f"--phases names no phase (the phases are {', '.join(PHASES)})")
    if args["rate_limit"] not in (AUTO, "0", "none"):
        try:
            Rate.parse(args["rate_limit"])
        except ValueError:
            problems.append(f"--rate-limit {args['rate_limit']!r} is not {SYNTAX} (0: none)")
    problems += [f"--{name.replace('_', '-')} {args[name]}: at least 1" for name in ("max_cases", "max_examples")
                 if args[name] < 1]
    if args["request_timeout"] <= 0:
        problems.append(f"--request-timeout {args['request_timeout']}: more than 0 seconds")
    return problems


def run(args: dict[str, Any]) -> int:
    chosen = options(args)
    if isinstance(chosen, list):
        print("sendkit-mock contract: " + "; ".join(chosen), file=sys.stderr)
        return 2
    line = ProgressLine(sys.stderr)
    try:
        with interruptible() as stop:
            result = check(chosen, line, stop)
    except UsageError as exc:
        print(f"sendkit-mock contract: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a contract or a setting Schemathesis refuses: nothing ran
        line.done()
        print(f"sendkit-mock contract: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    line.done()
    if args["junit_xml"] is not None:
        junit_xml(result, chosen, args["junit_xml"])
        print(f"JUnit XML: {args['junit_xml']}", file=sys.stderr)
    print(summary(result, chosen), flush=True)  # its last line is the verdict
    return result.verdict.exit_status


@contextmanager
def interruptible() -> Iterator[threading.Event]:
    """The first Ctrl-C ends the run after the case in flight, with a verdict (INCOMPLETE, never MATCH); a
    second one is Python's KeyboardInterrupt. Off the main thread, where no handler can be set, only the
    event stops the run."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def first(signum: int, frame: Any) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("\nsendkit-mock contract: stopping after the case in flight (Ctrl-C again to quit at once)",
              file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


class ProgressLine:
    """One line on stderr, rewritten as the run goes (where stderr is no terminal, a line per phase, and per
    operation while each is reached first)."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.live, self.step, self.last = out, out.isatty(), "", 0.0

    def __call__(self, progress: Progress) -> None:
        if progress.phase not in PHASES:  # probing, schema analysis: no case of ours yet
            return
        step = f"[{progress.phase}]" + (f" {progress.operation}:" if progress.operation else "")
        text = (f"{step} {progress.cases} cases, {progress.checked} of {progress.operations} operations "
                f"checked, {progress.failed_checks} failed checks on {progress.drifted} operations")
        now = time.monotonic()
        if self.live and now - self.last > 0.1:
            self.out.write("\r" + text.ljust(78)[:200])
            self.out.flush()
            self.last = now
        elif not self.live and step != self.step:
            print(text, file=self.out, flush=True)
        self.step = step

    def done(self) -> None:
        if self.live:
            self.out.write("\r" + " " * 98 + "\r")
            self.out.flush()


def _rate(text: str) -> str:
    """AUTO, or the rate as Schemathesis takes it (N/s, N/m, N/h)."""
    return text if text == AUTO else Rate.parse(text).short
