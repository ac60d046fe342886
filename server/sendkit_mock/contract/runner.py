"""Run Schemathesis with the bundled contract against a deployment, and gather what it saw by operation.

Safe against a real deployment by default: only `/v1` operations, only reads and creates (no DELETE, PATCH
or PUT), and no webhook registration or test call (the deployment would call the made-up URLs), unless asked;
requests are rate-limited (except on loopback) and the run stops after `max_cases`.

The budget reaches every operation first: each operation in turn gets its example and coverage cases, up to
an even share of what is left, then fuzzing and the stateful links take the rest. A budget smaller than the
operations in scope is refused before anything is sent. An operation whose first 10 answers are all 401/403
is left there; when three operations (or every one that needs a key) refused the key so, and no request went
unanswered, the run stops: the key is refused, and nothing behind it can be checked.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from ..resources import spec_path
from .reproduce import Sent, Wanted, curl
from .verdict import Drift, OperationResult, RunResult

DESTRUCTIVE_METHODS = ("DELETE", "PATCH", "PUT")
CALLS_OUT = ("createWebhook", "testWebhook")  # the deployment would call the URLs Schemathesis makes up
PHASES = ("examples", "coverage", "fuzzing", "stateful")
REACH_PHASES = ("examples", "coverage")  # per operation, first
REFUSAL_SAMPLE = 10  # an operation whose first this-many answers are all 401/403 is left (its key is refused)
REFUSED_OPERATIONS = 3  # the key is refused when this many operations (or every keyed one) refused it alone
AUTO = "auto"  # rate limit: none on loopback, LIMIT_ELSEWHERE on any other host
LIMIT_ELSEWHERE = "5/s"
OWN_PREFER = "return=representation"  # sent in place of generated Prefer values; every server ignores it


class UsageError(ValueError):
    """The options cannot give a verdict (nothing was sent)."""


@dataclass(frozen=True, slots=True)
class CheckOptions:
    base_url: str
    api_key: str
    workspace_id: str | None = None
    allow_destructive: bool = False
    include_mock_control: bool = False
    rate_limit: str | None = AUTO  # "5/s", "100/m"; None: as fast as the deployment answers
    max_cases: int = 2500  # at 5/s, under 9 minutes
    max_examples: int = 20
    phases: tuple[str, ...] = PHASES
    seed: int = 20261202
    request_timeout: float = 10.0
    headers: tuple[tuple[str, str], ...] = ()
    spec: Path = field(default_factory=spec_path)

    @property
    def platform_key(self) -> bool:
        return self.api_key.startswith("sk_user_")

    @property
    def rate(self) -> str | None:
        if self.rate_limit != AUTO:
            return self.rate_limit
        return None if is_loopback(self.base_url) else LIMIT_ELSEWHERE


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:  # IPv4's short forms, 127.1 and the like, which ipaddress refuses and every resolver takes
        return ipaddress.ip_address(socket.inet_aton(host)).is_loopback
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class Progress:
    phase: str
    operation: str | None  # the one operation being reached first, if so
    cases: int
    checked: int
    operations: int
    failed_checks: int
    drifted: int


def stages(phases: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The phases run per operation first (examples and coverage; fuzzing when neither is asked for), and
    those run over every operation after (the rest of fuzzing, the stateful links)."""
    unit = [p for p in PHASES if p in phases and p != "stateful"]
    reach = [p for p in unit if p in REACH_PHASES] or unit[:1]
    return reach, [p for p in PHASES if p in phases and p not in reach]


def check(options: CheckOptions, progress: Callable[[Progress], None] | None = None,
          stop: threading.Event | None = None) -> RunResult:
    """Raises UsageError before sending anything when the options cannot reach every operation. `stop` set
    (Ctrl-C, say) ends the run after the case in flight: an interrupted run is never a match."""
    reach, explore = stages(options.phases)
    whole = _load(options, reach)
    schema = _select(whole, options)
    result = RunResult(_scope(schema), _why_skipped(whole, schema), rate_limit=options.rate)
    if options.max_cases < len(result.operations):
        raise UsageError(f"--max-cases {options.max_cases} cannot reach the {len(result.operations)} operations in "
                         f"scope (at least one case each): the smallest budget that does is {len(result.operations)}")
    unreachable = _unreachable(options)
    if unreachable:
        result.fatal = unreachable
        return result
    run = _Run(options, result, progress, _mock_only(whole.raw_schema), stop or threading.Event())
    _hook(schema, run)
    labels = list(result.operations)
    for index, label in enumerate(labels if reach else []):
        share = (options.max_cases - run.sent) // (len(labels) - index)
        only = schema.exclude(func=lambda context, label=label: context.operation.label != label)
        if [operation.label for operation in _operations(only)] != [label]:  # a budget share must be its own
            raise RuntimeError(f"Schemathesis did not narrow the run to {label}: its filters work otherwise")
        run.execute(only, limit=run.sent + share, operation=result.operations[label])
        if run.over:
            return run.finish()
    if explore and run.sent < options.max_cases:
        schema = _select(_load(options, explore), options)
        _hook(schema, run)
        run.execute(schema, limit=options.max_cases)
    elif explore:
        result.stopped = f"the case limit (--max-cases {options.max_cases}), before {' and '.join(explore)}"
    return run.finish()


def _hook(schema: Any, run: _Run) -> None:
    """Schemathesis names a hook by its function. `filter_failure` sees every failed check as it happens, in
    every phase, and keeps it (a run stopped at its limit drops the scenario's own record of its last case)."""

    def after_call(context: Any, case: Any, response: Any) -> None:
        run.after_call(case, response)

    def after_network_error(context: Any, case: Any, request: Any) -> None:
        run.unanswered(case)

    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        run.failed(failure, case, response)
        return True

    schema.hook(after_call)
    schema.hook(after_network_error)
    schema.hook(filter_failure)


class _Run:
    """One contract run over several engine executions: counts every answer as it comes (after_call), stops
    an execution at its limit or when the key is refused, and gathers the failed checks."""

    def __init__(self, options: CheckOptions, result: RunResult, progress: Callable[[Progress], None] | None,
                 mock_only: frozenset[str], stop: threading.Event) -> None:
        self.options, self.result, self.progress, self.mock_only = options, result, progress, mock_only
        self.stop = stop
        self.lock = threading.Lock()
        self.seen: set[str] = set()  # a case's hooks can run more than once (schema and operation dispatchers)
        self.limit = options.max_cases
        self.stream: Any = None  # the engine's event stream now running
        self.capping: OperationResult | None = None  # the operation whose share `limit` is
        self.over = False  # nothing more should run
        self.halted = False
        self.live: dict[str, dict[tuple[str, str], Drift]] = {}  # failed checks as they happen, by operation
        self.phase, self.operation = "starting", cast(str | None, None)  # what runs now
        self.wanted = Wanted.of(options.api_key, [name for name, _ in options.headers],
                                ["X-Workspace-Id"] if options.workspace_id else [])

    @property
    def sent(self) -> int:
        return len(self.seen)

    def execute(self, schema: Any, *, limit: int, operation: OperationResult | None = None) -> None:
        from schemathesis.engine import events, from_schema

        self.limit, self.capping = limit, operation
        self.stream = stream = from_schema(schema).execute()
        self.halted = False  # whether this run stopped the stream (its budget, a refused key), not the user
        for event in stream:
            if isinstance(event, events.PhaseStarted) and event.phase.is_enabled:
                self.phase = event.phase.name.value
                self.operation = operation.label if operation is not None else None
            elif isinstance(event, events.ScenarioFinished):
                self._gather(event.recorder)
            elif isinstance(event, events.NonFatalError):
                self._error(event.label, f"{type(event.value).__name__}: {event.value}")
            elif isinstance(event, events.Interrupted) and not self.halted:
                self.result.interrupted = True
                self.result.stopped = "interrupted"
                self.over = True
            elif isinstance(event, events.FatalError):
                self.result.fatal = f"{type(event.exception).__name__}: {event.exception}"
                self.over = True
            elif isinstance(event, events.EngineFinished):
                self.result.seconds += event.running_time
                reason = event.stop_reason.skip_explanation
                if reason and not stream.stop_event.is_set() and self.result.stopped is None:
                    self.result.stopped = reason
                    self.over = True
            self._report()

    def unanswered(self, case: Any) -> None:
        """A request that got no answer (a timeout, a closed connection): it counts against --max-cases."""
        with self.lock:
            operation = self.result.operations.get(case.operation.label)
            if operation is not None and case.id not in self.seen:
                operation.unanswered += 1
            self.seen.add(case.id)
            self._count_against_the_budget()

    def after_call(self, case: Any, response: Any) -> None:
        with self.lock:
            if self.stop.is_set() and not self.result.interrupted:
                self.result.interrupted, self.result.stopped, self.over = True, "interrupted", True
                self.stream.stop()
            if case.id in self.seen:
                return
            self.seen.add(case.id)
            operation = self.result.operations.get(case.operation.label)
            if operation is None:
                return
            operation.cases += 1
            operation.statuses[response.status_code] += 1
            operation.seconds += response.elapsed
            if operation.needs_key and operation.cases == REFUSAL_SAMPLE and not operation.reached:
                if self.capping is operation:  # each operation in turn: this one refuses the key, go on
                    self._halt()
                if self._key_refused():
                    self._refuse()
            self._count_against_the_budget()

    def _count_against_the_budget(self) -> None:
        if self.sent >= self.limit and self.stream is not None and not self.stream.stop_event.is_set():
            self._halt()
            if self.capping is not None:
                self.capping.capped = True
            elif self.result.stopped is None:
                self.result.stopped = f"the case limit (--max-cases {self.options.max_cases})"

    def failed(self, failure: Any, case: Any, response: Any) -> None:
        check = failure.checks[0] if failure.checks else "custom"
        request = response.request
        headers = {name: [value] for name, value in request.headers.items()}
        body = request.body.encode() if isinstance(request.body, str) else request.body
        drift = Drift(check, failure.title, failure.message, curl(Sent(request.method, request.url, headers, body),
                                                                  self._wanted(case)), response.status_code)
        with self.lock:
            found = self.live.setdefault(case.operation.label, {})
            known = found.get((check, failure.title))
            if known is None or len(drift.curl) < len(known.curl):
                found[(check, failure.title)] = drift

    def finish(self) -> RunResult:
        for label, drifts in self.live.items():  # what the scenarios' records lost (a run stopped at its limit)
            target = self.result.operations.setdefault(label, OperationResult(label))
            titles = {drift.title for drift in target.drifts.values()}
            target.drifts.update({key: drift for key, drift in drifts.items() if drift.title not in titles})
        if not self.result.refused and self._key_refused():
            self._refuse()  # a run too short for the sample: every keyed answer was refused all the same
        self._report()
        return self.result

    def _key_refused(self) -> bool:
        """Every answer to an operation that needs a key was 401/403, on several operations (or on every one
        there is), and no request went unanswered: one operation alone refusing is that operation's matter."""
        keyed = [o for o in self.result.operations.values() if o.needs_key]
        tried = [o for o in keyed if o.cases or o.unanswered]
        if not tried or any(o.reached or o.unanswered for o in tried):
            return False
        return len(tried) >= min(REFUSED_OPERATIONS, len(keyed))

    def _refuse(self) -> None:
        counts: dict[int, int] = {}
        for operation in self.result.operations.values():
            if operation.needs_key:
                for status, n in operation.statuses.items():
                    counts[status] = counts.get(status, 0) + n
        total = sum(counts.values())
        said = " and ".join(f"{n} were {status}" for status, n in sorted(counts.items()))
        self.result.refused = f"the API key was refused: {total} of {total} answers were 401 or 403 ({said})" \
            if len(counts) > 1 else f"the API key was refused: {total} of {total} answers were {next(iter(counts))}"
        self.result.stopped = self.result.stopped or self.result.refused
        self.over = True
        if self.stream is not None:
            self._halt()

    def _halt(self) -> None:
        self.halted = True
        self.stream.stop()

    def _report(self) -> None:
        if self.progress is None:
            return
        with self.lock:
            failed = sum(len(drifts) for drifts in self.live.values())
            drifted = sum(bool(drifts) for drifts in self.live.values())
        self.progress(Progress(self.phase, self.operation, self.sent, len(self.result.checked),
                               len(self.result.operations), failed, drifted))

    def _error(self, label: str, message: str) -> None:
        target = self.result.operations.get(label)
        if target is None:
            self.result.fatal = self.result.fatal or f"{label}: {message}"
        elif message not in target.errors:
            target.errors.append(message)

    def _gather(self, recorder: Any) -> None:
        from schemathesis.engine import Status

        for case_id, checks in recorder.checks.items():
            for node in checks:
                if node.status != Status.FAILURE or node.failure_info is None:
                    continue
                label = recorder.cases[case_id].value.operation.label
                target = self.result.operations.setdefault(label, OperationResult(label))
                interaction = recorder.interactions.get(case_id)
                status = interaction.response.status_code if interaction and interaction.response else None
                failure = node.failure_info.failure
                drift = Drift(node.name, failure.title, failure.message, self._curl(recorder, node.failure_info),
                              status)
                known = target.drifts.get((node.name, failure.title))
                if known is None or len(drift.curl) < len(known.curl):  # the smallest reproducing request
                    target.drifts[(node.name, failure.title)] = drift

    def _curl(self, recorder: Any, info: Any) -> str:
        commands = []
        for step in info.steps or []:
            interaction = recorder.interactions.get(step.case_id)
            node = recorder.cases.get(step.case_id)
            if interaction is None or node is None:
                return str(info.code_sample)
            request = interaction.request
            commands.append(curl(Sent(request.method, request.uri, request.headers, request.body),
                                 self._wanted(node.value)))
        return "\n".join(commands) or str(info.code_sample)

    def _wanted(self, case: Any) -> Wanted:
        """The user's headers and those of the contract the case set: not the Prefer the runner sets, nor what
        only the mock reads (a deployment ignores it; the mock takes its absence as the session `default`)."""
        generated = {name.lower() for name in (case.headers or {})} - self.mock_only - {"prefer"}
        return Wanted(self.wanted.api_key, self.wanted.headers | generated)


def _unreachable(options: CheckOptions) -> str | None:
    """Why the deployment cannot be checked at all (then nothing runs), or None: it does not answer, or it
    answers GET /v1/reports as a route it does not have (a --base-url with a path prefix, or ending in /v1)."""
    import urllib.error
    import urllib.request

    url = options.base_url.rstrip("/") + "/v1/reports"
    try:
        urllib.request.urlopen(url, timeout=options.request_timeout).close()
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 405):
            return (f"{url} answered {exc.code} without a key (SendKit answers 401): is --base-url the API's "
                    "root, without /v1 or another path?")
        return None
    except (OSError, ValueError) as exc:
        return f"cannot reach {options.base_url}: {getattr(exc, 'reason', exc)}"
    return None


def _load(options: CheckOptions, phases: list[str]) -> Any:
    import schemathesis

    return schemathesis.openapi.from_path(options.spec, config=_config(options, phases))


def _config(options: CheckOptions, enabled: list[str]) -> Any:
    import schemathesis

    auth = ({"BearerAuth": {"bearer": options.api_key}} if options.platform_key
            else {"ApiKeyAuth": {"api_key": options.api_key}})
    headers = {"Prefer": OWN_PREFER}  # in place of generated ones: the mock would act on them
    if options.workspace_id:
        headers["X-Workspace-Id"] = options.workspace_id
    headers.update(dict(options.headers))
    phases = {name: {"enabled": name in enabled} for name in PHASES}
    phases["examples"]["fill-missing"] = True
    config: dict[str, Any] = {
        "base-url": options.base_url.rstrip("/"),
        "seed": options.seed,
        "headers": headers,
        "request-timeout": options.request_timeout,
        "phases": phases,
        "generation": {"mode": "all", "max-examples": options.max_examples, "database": "none"},
        "checks": {"enabled": True},
        "auth": {"openapi": auth},
    }
    if options.rate:
        config["rate-limit"] = options.rate
    return schemathesis.Config.from_dict(config)


def _operations(schema: Any) -> list[Any]:
    from schemathesis.core.result import Ok

    return [found.ok() for found in schema.get_all_operations() if isinstance(found, Ok)]


def _scope(schema: Any) -> dict[str, OperationResult]:
    """Every operation in scope, in the contract's order, with whether it needs a key."""
    everywhere = schema.raw_schema.get("security", [])
    scope = {}
    for operation in _operations(schema):
        security = operation.definition.raw.get("security", everywhere)
        documented = frozenset(int(s) for s in operation.definition.raw.get("responses", {}) if str(s).isdigit())
        scope[operation.label] = OperationResult(operation.label, needs_key=bool(security) and {} not in security,
                                                 documented=documented)
    return scope


def _mock_only(document: dict[str, Any]) -> frozenset[str]:
    """The header parameters the contract marks `x-mock-only`, in lower case."""
    parameters = document.get("components", {}).get("parameters", {}).values()
    return frozenset(p["name"].lower() for p in parameters if p.get("in") == "header" and p.get("x-mock-only"))


def _select(schema: Any, options: CheckOptions) -> Any:
    if not options.include_mock_control:
        schema = schema.include(path_regex="^/v1/")
    if not options.allow_destructive:
        schema = schema.exclude(method=list(DESTRUCTIVE_METHODS)).exclude(operation_id=list(CALLS_OUT))
    return schema


def _why_skipped(whole: Any, selected: Any) -> list[str]:
    kept = {operation.label for operation in _operations(selected)}
    every = [operation.label for operation in _operations(whole)]
    control = [label for label in every if label not in kept and not label.split(" ", 1)[1].startswith("/v1/")]
    why = [f"/__mock ({len(control)} operations): the mock's control plane (--include-mock-control)"] if control else []
    for label in every:
        method, path = label.split(" ", 1)
        if label in kept or not path.startswith("/v1/"):
            continue
        reason = ("changes or deletes what exists" if method in DESTRUCTIVE_METHODS
                  else "the deployment would call made-up URLs")
        why.append(f"{label}: {reason} (--allow-destructive)")
    return why
