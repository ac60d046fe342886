"""API coverage of a client's tests: what of SendKit's contract the client met, and what it never met.

Computed when asked, from the contract (what is documented) and what the session already keeps (its journal
and its webhook attempts): no list of operations or statuses is written here, so an operation or an answer
added to openapi.yaml shows up as not met by itself, and a request costs nothing more than its journal entry.
Answers the mock injected (`Prefer`, stubs, the error rate, the rate limit, faults) count as received, and say
so: a suite that provokes its 429s with a stub gets credit for handling them.

A report with no journal entry is "not checked", never 100% or 0%: coverage needs something seen.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from typing import Any

from ..spec import Operation, OperationIndex

Json = dict[str, Any]
LIFECYCLE = ("queued", "processing", "ready", "failed")  # openapi.yaml's ReportStatus, in the order they come
_REPORT_READS = {"getReport", "listReports", "createReport"}
_ID = re.compile(r'"_?id":\s*"([0-9a-f]{24})"')
_STATUS = re.compile(r'"status":\s*"(queued|processing|ready|failed)"')


def sendkit_operations(index: OperationIndex) -> list[Operation]:
    return [op for op in index.by_id.values() if op.template.startswith("/v1/")]


def scope_of(names: Iterable[str], index: OperationIndex) -> tuple[set[str], list[str]]:
    """The operation ids that `names` (operation ids or tags of the contract) stand for, and the names that
    are neither: a client that calls only some operations is judged on those."""
    operations = sendkit_operations(index)
    chosen: set[str] = set()
    unknown = []
    for name in names:
        found = {op.operation_id for op in operations if name == op.operation_id or name in op.spec.get("tags", ())}
        chosen |= found
        if not found:
            unknown.append(name)
    return chosen, unknown


def coverage(entries: Iterable[Json], attempts: Iterable[Json], index: OperationIndex,
             documented: Callable[[str], list[int]], scope: Collection[str] | None = None) -> Json:
    """The coverage of one session (or of several, their entries together); `scope`: the operation ids it
    judges (scope_of), every operation of the contract when None. Requests outside it count as seen only."""
    operations = [op for op in sendkit_operations(index) if scope is None or op.operation_id in scope]
    received: dict[str, Counter[int]] = defaultdict(Counter)
    injected: dict[str, Counter[int]] = defaultdict(Counter)
    violations: dict[str, Counter[str]] = defaultdict(Counter)
    statuses: Counter[str] = Counter()
    polled: dict[str, list[str]] = defaultdict(list)  # report id -> the statuses its reads showed, in order
    followed_cursor = seen = 0
    for entry in entries:
        seen += 1
        operation = index.operation(entry["method"], entry["path"])
        if operation is None or not operation.template.startswith("/v1/"):
            continue
        name, status = operation.operation_id, int(entry.get("status") or 0)
        if scope is not None and name not in scope:
            continue
        received[name][status] += 1
        if entry.get("injected"):
            injected[name][status] += 1
        for violation in entry.get("violations") or []:
            violations[name][violation["field"]] += 1
        if "cursor" in (entry.get("query") or {}):
            followed_cursor += 1
        if name in _REPORT_READS and 200 <= status < 300 and not entry.get("injected"):
            for report_id, report_status in _report_statuses(entry.get("_answer") or entry.get("answer")):
                statuses[report_status] += 1
                if name == "getReport":
                    polled[report_id].append(report_status)
    rows: list[Json] = []
    for operation in sorted(operations, key=lambda op: (op.template, op.method)):
        name = operation.operation_id
        answers = documented(name)
        got = received.get(name, Counter())
        rows.append({
            "operationId": name, "method": operation.method, "path": operation.template,
            "calls": sum(got.values()),
            "answers": [{"status": s, "received": got.get(s, 0), "injected": injected[name].get(s, 0)}
                        for s in answers],
            "missed": [s for s in answers if not got.get(s)],
            "undocumented": sorted(s for s in got if s not in answers),
            "violations": [{"field": f, "count": n} for f, n in violations[name].most_common()],
        })
    answers_total = sum(len(row["answers"]) for row in rows)
    answers_met = sum(len(row["answers"]) - len(row["missed"]) for row in rows)
    called = sum(1 for row in rows if row["calls"])
    events, failed, retries = Counter[str](), 0, 0
    for attempt in attempts:
        events[str(attempt.get("event"))] += 1 if attempt.get("delivered") else 0
        failed += 0 if attempt.get("delivered") else 1
        retries += 1 if int(attempt.get("attempt") or 1) > 1 else 0
    return {
        "checked": seen > 0,
        "requests": seen,
        "scope": None if scope is None else sorted(scope),
        "operations": _share(called, len(rows), seen),
        "answers": _share(answers_met, answers_total, seen),
        "byOperation": rows,
        "lifecycle": {
            "seen": {s: statuses.get(s, 0) for s in LIFECYCLE},
            "missed": [s for s in LIFECYCLE if not statuses.get(s)],
            "polledToCompletion": any(_completed(shown) for shown in polled.values()),
            "followedNextCursor": followed_cursor > 0,
        },
        "webhooks": {"delivered": {e: n for e, n in sorted(events.items()) if n}, "failedAttempts": failed,
                     "retries": retries},
    }


def _share(met: int, total: int, seen: int) -> Json:
    """Met of total, and the percentage; None where nothing was seen (not checked, not 0%)."""
    return {"met": met, "total": total, "percent": round(100 * met / total, 1) if seen and total else None}


def _completed(shown: list[str]) -> bool:
    """A report read while it ran (queued or processing) and read again once it ended."""
    running = [i for i, s in enumerate(shown) if s in ("queued", "processing")]
    return bool(running) and any(s in ("ready", "failed") for s in shown[running[0] + 1:])


def _report_statuses(answer: Any) -> list[tuple[str, str]]:
    """(id, status) of each report an answer shows: one report, a page of them, or those a create queued."""
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:  # a ready report's content runs past what the journal keeps: its head says enough
            found_id, found_status = _ID.search(answer), _STATUS.search(answer)
            return [(found_id[1], found_status[1])] if found_id and found_status else []
    data = answer.get("data") if isinstance(answer, dict) else None
    reports = data if isinstance(data, list) else (data.get("reports") if isinstance(data, dict) and
                                                   "reports" in data else [data])
    found = []
    for report in reports if isinstance(reports, list) else []:
        if isinstance(report, dict) and report.get("status") in LIFECYCLE:
            found.append((str(report.get("id") or report.get("_id")), str(report["status"])))
    return found
