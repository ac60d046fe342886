"""Run Schemathesis with the bundled contract against a deployment, and gather what it found by operation.

Safe against a real deployment by default: only `/v1` operations, only reads and creates (no DELETE, PATCH
or PUT), and no webhook registration or test call (the deployment would call the made-up URLs), unless asked;
requests are rate-limited and the run stops after a number of cases. Every phase (examples, coverage,
fuzzing, stateful links) and every check runs on what is left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..resources import spec_path

DESTRUCTIVE_METHODS = ("DELETE", "PATCH", "PUT")
CALLS_OUT = ("createWebhook", "testWebhook")  # the deployment would call the URLs Schemathesis makes up
PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True, slots=True)
class CheckOptions:
    base_url: str
    api_key: str
    workspace_id: str | None = None
    allow_destructive: bool = False
    include_mock_control: bool = False
    rate_limit: str | None = "5/s"  # None: as fast as the deployment answers
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


@dataclass(slots=True)
class Drift:
    """One check that failed on one operation: the smallest request that shows it."""

    check: str
    title: str
    message: str
    curl: str
    status: int | None


@dataclass(slots=True)
class OperationResult:
    label: str  # "POST /v1/reports"
    cases: int = 0
    drifts: dict[tuple[str, str], Drift] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drifts and not self.errors


@dataclass(slots=True)
class RunResult:
    operations: dict[str, OperationResult]
    skipped: list[str]  # operations left out, with why
    stopped: str | None = None  # why the run ended early, if it did
    fatal: str | None = None  # the run could not start or went wrong as a whole
    seconds: float = 0.0

    @property
    def cases(self) -> int:
        return sum(o.cases for o in self.operations.values())

    @property
    def matched(self) -> bool:
        return self.fatal is None and all(o.ok for o in self.operations.values())


Progress = Callable[[str, int, int, int], None]  # (phase, cases, failures, operations with failures)


def check(options: CheckOptions, progress: Progress | None = None) -> RunResult:
    import schemathesis
    from schemathesis.engine import events, from_schema

    unreachable = _unreachable(options)
    if unreachable:
        return RunResult({}, [], fatal=unreachable)
    schema = schemathesis.openapi.from_path(options.spec, config=_config(options))
    every = _labels(schema)
    schema = _select(schema, options)
    kept = set(_labels(schema))
    skipped = [f"{label}: {why}" for label, why in _why_skipped(every, kept)]
    result = RunResult({label: OperationResult(label) for label in sorted(kept)}, skipped)
    sent: set[str] = set()
    stream_box: list[Any] = []
    limit = threading.Lock()

    def after_call(context: Any, case: Any, response: Any) -> None:
        with limit:
            sent.add(case.id)  # a case's hooks can run more than once (schema and operation dispatchers)
            if len(sent) >= options.max_cases and stream_box and result.stopped is None:
                result.stopped = f"the case limit (--max-cases {options.max_cases})"
                stream_box[0].stop()

    schema.hook(after_call)
    stream = from_schema(schema).execute()
    stream_box.append(stream)
    phase = "starting"
    for event in stream:
        if isinstance(event, events.PhaseStarted):
            phase = event.phase.name.value
        elif isinstance(event, events.ScenarioFinished):
            _gather(result, event.recorder)
        elif isinstance(event, events.NonFatalError):
            target = result.operations.get(event.label)
            message = f"{type(event.value).__name__}: {event.value}"
            if target is not None:
                if message not in target.errors:
                    target.errors.append(message)
            elif result.fatal is None:
                result.fatal = f"{event.label}: {message}"
        elif isinstance(event, events.FatalError):
            result.fatal = f"{type(event.exception).__name__}: {event.exception}"
        elif isinstance(event, events.EngineFinished):
            result.seconds = event.running_time
            reason = event.stop_reason.skip_explanation
            if reason and result.stopped is None:
                result.stopped = reason
        if progress is not None:
            failing = [o for o in result.operations.values() if not o.ok]
            progress(phase, len(sent), sum(len(o.drifts) + len(o.errors) for o in failing), len(failing))
    return result


def _unreachable(options: CheckOptions) -> str | None:
    """Why the deployment cannot be reached at all (then nothing runs), or None. Any HTTP answer will do."""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(options.base_url.rstrip("/") + "/v1/reports", timeout=options.request_timeout).close()
    except urllib.error.HTTPError:
        return None
    except (OSError, ValueError) as exc:
        return f"cannot reach {options.base_url}: {getattr(exc, 'reason', exc)}"
    return None


def _config(options: CheckOptions) -> Any:
    import schemathesis

    auth = ({"BearerAuth": {"bearer": options.api_key}} if options.platform_key
            else {"ApiKeyAuth": {"api_key": options.api_key}})
    headers = {"Prefer": "return=representation"}  # one every server ignores, in place of generated ones
    if options.workspace_id:
        headers["X-Workspace-Id"] = options.workspace_id
    headers.update(dict(options.headers))
    phases = {name: {"enabled": name in options.phases} for name in PHASES}
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
    if options.rate_limit:
        config["rate-limit"] = options.rate_limit
    return schemathesis.Config.from_dict(config)


def _labels(schema: Any) -> list[str]:
    from schemathesis.core.result import Ok

    return [found.ok().label for found in schema.get_all_operations() if isinstance(found, Ok)]


def _select(schema: Any, options: CheckOptions) -> Any:
    if not options.include_mock_control:
        schema = schema.include(path_regex="^/v1/")
    if not options.allow_destructive:
        schema = schema.exclude(method=list(DESTRUCTIVE_METHODS)).exclude(operation_id=list(CALLS_OUT))
    return schema


def _why_skipped(every: list[str], kept: set[str]) -> list[tuple[str, str]]:
    why = []
    control = [label for label in every if label not in kept and not label.split(" ", 1)[1].startswith("/v1/")]
    if control:
        why.append((f"/__mock ({len(control)} operations)", "the mock's control plane (--include-mock-control)"))
    for label in every:
        method, path = label.split(" ", 1)
        if label in kept or not path.startswith("/v1/"):
            continue
        if method in DESTRUCTIVE_METHODS:
            why.append((label, "changes or deletes what exists (--allow-destructive)"))
        else:
            why.append((label, "the deployment would call made-up URLs (--allow-destructive)"))
    return why


def _gather(result: RunResult, recorder: Any) -> None:
    from schemathesis.engine import Status

    for case_id, node in recorder.cases.items():
        label = node.value.operation.label
        target = result.operations.setdefault(label, OperationResult(label))
        target.cases += 1
        for check_node in recorder.checks.get(case_id, []):
            if check_node.status != Status.FAILURE or check_node.failure_info is None:
                continue
            info = check_node.failure_info
            failure = info.failure
            interaction = recorder.interactions.get(case_id)
            status = interaction.response.status_code if interaction and interaction.response else None
            drift = Drift(check_node.name, failure.title, failure.message, info.code_sample, status)
            key = (check_node.name, failure.title)
            known = target.drifts.get(key)
            if known is None or len(drift.curl) < len(known.curl):  # the smallest reproducing request
                target.drifts[key] = drift
