"""The pytest plugin's API coverage: what of SendKit's contract a test run's requests met (session/coverage.py),
gathered from each test's journal before the next test's reset, merged across xdist workers, and shown as a
terminal summary, a JSON file and an HTML grid; `--sendkit-mock-coverage-fail-under=N` gates the run on the
share of documented answers met (a run that met nothing is "not checked", and fails the gate)."""

from __future__ import annotations

import html
import json
import threading
from pathlib import Path
from typing import Any

Json = dict[str, Any]
HEAD = 4_096  # characters of an answer kept: a report's id and status are at its head
KIND = "sendkit_mock_coverage"


class Gathered:
    """The compact journal entries and webhook attempts of every test of this process."""

    def __init__(self) -> None:
        self.entries: list[Json] = []
        self.attempts: list[Json] = []
        self._lock = threading.Lock()

    def take(self, session: Any) -> None:
        """What one session's journal and attempts hold now (called before the session is reset)."""
        entries = [{"method": e["method"], "path": e["path"], "status": e.get("status"),
                    "injected": e.get("injected"), "violations": e.get("violations") or [],
                    "query": {k: "" for k in (e.get("query") or {}) if k == "cursor"},
                    "_answer": (e.get("_answer") or "")[:HEAD]} for e in session.journal.log.all()]
        attempts = [{"event": a.get("event"), "delivered": a.get("delivered"), "attempt": a.get("attempt")}
                    for a in session.stores.attempts.all()]
        with self._lock:
            self.entries += entries
            self.attempts += attempts

    def dumps(self) -> str:
        return json.dumps({"entries": self.entries, "attempts": self.attempts})

    def merge(self, text: str) -> None:
        found = json.loads(text)
        with self._lock:
            self.entries += found["entries"]
            self.attempts += found["attempts"]


def compute(gathered: Gathered, operations: str = "") -> Json:
    """The run's coverage; `operations`: the operation ids or tags (comma-separated) it judges, all when empty.
    ValueError names what is neither."""
    from ..resources import spec_path
    from ..session.coverage import coverage, scope_of
    from ..simulation.answers import Answers
    from ..spec import OperationIndex, load

    documents = load(spec_path())
    index = OperationIndex([documents.sendkit])
    scope = None
    names = [name.strip() for name in operations.split(",") if name.strip()]
    if names:
        scope, unknown = scope_of(names, index)
        if unknown:
            raise ValueError(f"not an operation id or a tag of SendKit's contract: {', '.join(unknown)}")
    answers = Answers(documents.sendkit, 0)
    return coverage(gathered.entries, gathered.attempts, index, answers.documented, scope)


def summary(found: Json, detailed: bool) -> list[str]:
    if not found["checked"]:
        return ["sendkit-mock coverage: not checked (no request reached a sendkit_mock fixture)"]
    ops, answers = found["operations"], found["answers"]
    scope = f" (of {', '.join(found['scope'])})" if found.get("scope") is not None else ""
    lines = [f"sendkit-mock coverage{scope}: operations {ops['met']}/{ops['total']} ({ops['percent']}%), documented "
             f"answers {answers['met']}/{answers['total']} ({answers['percent']}%), {found['requests']} requests"]
    never = [row["operationId"] for row in found["byOperation"] if not row["calls"]]
    if never:
        lines.append("  never called: " + ", ".join(never))
    life = found["lifecycle"]
    if life["missed"]:
        lines.append("  report statuses never seen: " + ", ".join(life["missed"]))
    if detailed:
        for row in found["byOperation"]:
            marks = " ".join(f"{a['status']}{'+' if a['received'] else '-'}" for a in row["answers"])
            lines.append(f"  {row['method']:<6} {row['path']:<36} {marks}")
        lines.append(f"  polled a report to its end: {life['polledToCompletion']}; followed nextCursor: "
                     f"{life['followedNextCursor']}; webhooks delivered: {found['webhooks']['delivered'] or 'none'}")
    return lines


def write_html(found: Json, path: Path) -> None:
    statuses = sorted({a["status"] for row in found["byOperation"] for a in row["answers"]})
    head = "".join(f"<th>{s}</th>" for s in statuses)
    body = []
    for row in found["byOperation"]:
        cells = []
        by_status = {a["status"]: a for a in row["answers"]}
        for status in statuses:
            answer = by_status.get(status)
            if answer is None:
                cells.append('<td class="na"></td>')
            elif answer["received"]:
                injected = f" ({answer['injected']} injected)" if answer["injected"] else ""
                cells.append(f'<td class="met" title="received {answer["received"]}{injected}">'
                             f'{answer["received"]}</td>')
            else:
                cells.append('<td class="missed" title="never received">·</td>')
        body.append(f"<tr><th>{html.escape(row['method'])} {html.escape(row['path'])}</th>{''.join(cells)}</tr>")
    answers = found["answers"]
    percent = "not checked" if answers["percent"] is None else f"{answers['percent']}%"
    path.write_text(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sendkit-mock API coverage</title><style>
body{{font:14px system-ui,sans-serif;margin:2rem}} table{{border-collapse:collapse}}
th,td{{border:1px solid #ddd;padding:4px 8px;text-align:center}} th{{text-align:left;white-space:nowrap}}
td.met{{background:#c8f0c8}} td.missed{{background:#f6c6c6}} td.na{{background:#f4f4f4}}
</style></head><body><h1>API coverage: {percent} of documented answers</h1>
<p>Operations called: {found['operations']['met']} of {found['operations']['total']}.
Green: received (the number of times); red: documented, never received; grey: not documented.</p>
<table><tr><th>operation</th>{head}</tr>{''.join(body)}</table></body></html>
""", encoding="utf-8")
