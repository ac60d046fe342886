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

import threading
from collections.abc import Callable
from typing import Any

from .observer import Observer, Progress, hook
from .options import PHASES, CheckOptions, UsageError
from .rules import keep_order, ordered_pairs
from .verdict import OperationResult, RunResult

DESTRUCTIVE_METHODS = ("DELETE", "PATCH", "PUT")
CALLS_OUT = ("createWebhook", "testWebhook")  # the deployment would call the URLs Schemathesis makes up
REACH_PHASES = ("examples", "coverage")  # per operation, first


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
    run = Observer(options, result, progress, stop or threading.Event())
    hook(schema, run)
    keep_rules(schema)
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
        hook(schema, run)
        keep_rules(schema)
        run.execute(schema, limit=options.max_cases)
    elif explore:
        result.stopped = f"the case limit (--max-cases {options.max_cases}), before {' and '.join(explore)}"
    return run.finish()


def keep_rules(schema: Any) -> None:
    """Positive cases keep the contract's rules across fields (rules.py); Schemathesis names a hook by its
    function."""
    from schemathesis import GenerationMode

    pairs: dict[str, list[tuple[str, str]]] = {}

    def map_case(context: Any, case: Any) -> Any:
        if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
            return case
        label = case.operation.label
        if label not in pairs:
            body = case.operation.definition.raw.get("requestBody") or {}
            media = (body.get("content") or {}).get("application/json") or {}
            pairs[label] = ordered_pairs(media.get("schema", {}), schema.raw_schema)
        keep_order(case.body, pairs[label])
        return case

    schema.hook(map_case)


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
    headers: dict[str, str] = {}
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


def _select(schema: Any, options: CheckOptions) -> Any:
    if not options.allow_destructive:
        schema = schema.exclude(method=list(DESTRUCTIVE_METHODS)).exclude(operation_id=list(CALLS_OUT))
    return schema


def _why_skipped(whole: Any, selected: Any) -> list[str]:
    kept = {operation.label for operation in _operations(selected)}
    every = [operation.label for operation in _operations(whole)]
    why = []
    for label in every:
        if label in kept:
            continue
        reason = ("changes or deletes what exists" if label.split(" ", 1)[0] in DESTRUCTIVE_METHODS
                  else "the deployment would call made-up URLs")
        why.append(f"{label}: {reason} (--allow-destructive)")
    return why
