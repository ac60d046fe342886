"""What a contract run sees as it goes: every answer counted by operation (the budget, a refused key), every
failed check kept with a curl that reproduces it, and the progress line's figures.

It listens through Schemathesis' public hooks: `after_call` (each answer), `after_network_error` (a request
that got none) and `filter_failure` (each failed check, in every phase, as it happens: a run stopped at its
limit drops the scenario's own record of its last case, so that record alone would lose its failures).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from .options import CheckOptions
from .reproduce import Sent, Wanted, curl
from .verdict import Drift, OperationResult, RunResult

REFUSAL_SAMPLE = 10  # an operation whose first this-many answers are all 401/403 is left (its key is refused)
REFUSED_OPERATIONS = 3  # the key is refused when this many operations (or every keyed one) refused it alone


@dataclass(frozen=True, slots=True)
class Progress:
    phase: str
    operation: str | None  # the one operation being reached first, if so
    cases: int
    checked: int
    operations: int
    failed_checks: int
    drifted: int


def hook(schema: Any, run: Observer) -> None:
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


class Observer:
    """One contract run over several engine executions: counts every answer as it comes (after_call), stops
    an execution at its limit or when the key is refused, and gathers the failed checks."""

    def __init__(self, options: CheckOptions, result: RunResult, progress: Callable[[Progress], None] | None,
                 stop: threading.Event) -> None:
        self.options, self.result, self.progress = options, result, progress
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
            _keep_smallest(self.live.setdefault(case.operation.label, {}), drift)

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
                _keep_smallest(target.drifts, drift)

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
        """The user's headers and those of the contract the case set."""
        generated = {name.lower() for name in (case.headers or {})}
        return Wanted(self.wanted.api_key, self.wanted.headers | generated)


def _keep_smallest(drifts: dict[tuple[str, str], Drift], drift: Drift) -> None:
    """One drift per check and title: the one with the smallest reproducing request."""
    known = drifts.get((drift.check, drift.title))
    if known is None or len(drift.curl) < len(known.curl):
        drifts[(drift.check, drift.title)] = drift
