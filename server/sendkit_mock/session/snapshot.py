"""A session's whole state as one versioned JSON document, and back.

`export` writes every record with its internals (seqs, timelines to the microsecond, id counts), so that
export, import, export gives the same bytes. `restore` fills a freshly built session and raises one 400
naming every entry it cannot read; the caller swaps the session in only when it succeeds, so nothing of
the old state is lost on a refused import. What waits for the clock (reports to announce, webhook attempts
to make) is part of the document, so an imported session goes on exactly where the exported one was.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..clock import LATEST, exact, parse_exact, read_state
from ..domain.recipients import Recipient
from ..domain.reports import Report
from ..domain.stores import COUNTERS
from ..domain.webhooks import Job, Webhook
from ..errors import BadRequest, Detail
from ..resources import spec_path
from ..spec import load
from ..spec.shapes import shapes_of
from ..stores import records
from .journal import kept
from .sessions import Session

VERSION = 1
# The instants a record may hold: from 1970 to a year past the clock's end (LATEST), where a report created
# at the clock's last second finishes, all far from what datetime can compute.
FIRST, LAST = datetime(1970, 1, 1, tzinfo=UTC), LATEST.replace(year=LATEST.year + 1)
SAFE_INTEGER = 2**53 - 1  # JSON's exact integers: a larger one reached the answer as a float, and broke it
MINT_LOOKAHEAD = 10_000  # ids of each sequence checked past its count for a collision with an imported record
Json = dict[str, Any]


class StateFileError(ValueError):
    """A state file that cannot be loaded; the message names the file, the entries and the problems."""


def read_file(path: Path, session: Session) -> None:
    """Load a state file (a document, or the whole answer of GET /__mock/state) into a fresh session."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StateFileError(f"{path}: {exc}") from None
    if isinstance(document, dict) and document.get("success") is True and "data" in document:
        document = document["data"]
    if not isinstance(document, dict):
        raise StateFileError(f"{path}: not a state document (a JSON object)")
    try:
        restore(session, document)
    except BadRequest as exc:
        raise StateFileError(f"{path}: " + "; ".join(f"{d.field}: {d.message}" for d in exc.details)) from None


def export(session: Session, *, journal: bool = True) -> Json:
    """The session as one document; without its journal when `journal` is false (what GET /__mock/state
    gives unless asked: a busy session's journal is most of a document's size)."""
    document = {
        "version": VERSION,
        "session": session.name,
        "clock": session.clock.state(),
        "ids": {name: session.stores.counters[name].value for name in COUNTERS},
        "reports": [records.report_json(r) for r in session.reports.all()],
        "recipients": [records.recipient_json(r) for r in sorted(session.recipients.store.all(), key=lambda r: r.seq)],
        "webhooks": [records.webhook_json(h) for h in sorted(session.webhooks.store.all(), key=lambda h: h.seq)],
        "outbox": session.outbox.all(),
        "attempts": session.stores.attempts.all(),
        "journal": session.journal.newest_first(),
        "pending": {
            "announcements": [{"reportId": rid, "due": exact(due)} for due, (rid, _) in
                              session.stores.announcements.all()],
            "deliveries": [records.job_json(due, job) for due, job in session.stores.deliveries.all()],
        },
    }
    if not journal:
        del document["journal"]
    return document


@dataclass(frozen=True, slots=True)
class State:
    """A state document, read and checked: nothing of a session changes until `apply`."""

    clock: Json
    ids: dict[str, int]
    reports: list[Report]
    recipients: list[Recipient]
    webhooks: list[Webhook]
    logs: dict[str, list[Json]]  # outbox, attempts, journal (newest first, as exported)
    announcements: list[tuple[str, datetime]]
    deliveries: list[tuple[datetime, Job]]


def restore(session: Session, document: Json) -> None:
    """Load `document` into `session` (freshly built), or raise a 400 naming each bad entry: what the
    document holds, and what the session could not serve (instants out of range, ids its counters would
    hand out again)."""
    state = read(document)
    check(session, state)
    apply(session, state)


def read(document: Json) -> State:
    """Check a whole document, or raise one 400 naming each bad entry."""
    problems: list[Detail] = []
    if document.get("version") != VERSION:
        raise BadRequest.field("version", f"Must be {VERSION}, the state format this mock reads")
    clock = _one(problems, "clock", lambda: read_state(document["clock"]))
    ids = _one(problems, "ids", lambda: _ids(document["ids"]))
    reports = _each(problems, document, "reports", records.read_report)
    recipients = _each(problems, document, "recipients", records.read_recipient)
    webhooks = _each(problems, document, "webhooks", records.read_webhook)
    logs = {name: _each(problems, document, name, _record) for name in ("outbox", "attempts")}
    logs["journal"] = _each(problems, document, "journal", kept) if "journal" in document else []
    pending = document.get("pending")
    if not isinstance(pending, dict):
        problems.append(Detail("pending", "Must be an object with announcements and deliveries"))
        pending = {}
    announcements = _each(problems, pending, "announcements", records.read_announcement, "pending.")
    deliveries = _each(problems, pending, "deliveries", records.read_job, "pending.")
    if problems or not (clock and ids):
        raise BadRequest(details=problems)
    return State(document["clock"], document["ids"], reports, recipients, webhooks, logs, announcements, deliveries)


def check(session: Session, state: State) -> None:
    """A 400 naming what a session like `session` (its seed) could not serve of a read state: instants out
    of range, ids its counters would hand out again. Asked before anything of the session changes."""
    problems = _out_of_range(state) + _minted_again(session, state) + _unservable(session, state)
    if problems:
        raise BadRequest(details=problems)


def apply(session: Session, state: State) -> None:
    """Replace everything `session` holds with a read and checked state."""
    stores = session.stores
    session.clock.restore(state.clock)
    for name in COUNTERS:
        stores.counters[name].set(state.ids[name])
    session.reports.restore(state.reports, state.announcements)
    session.recipients.restore(state.recipients)
    session.webhooks.restore(state.webhooks)
    stores.outbox.replace_all(state.logs["outbox"])
    stores.attempts.replace_all(state.logs["attempts"])
    session.journal.restore(state.logs["journal"])
    stores.deliveries.clear()
    for due, job in state.deliveries:
        stores.deliveries.push(due, job)


def _out_of_range(state: State) -> list[Detail]:
    """Every instant a record holds within the years the mock computes with (a report's period and the one
    before it, the clock): an instant in year 1 was taken, and then every read of it raised."""
    problems = []
    for field, kept_records in (("reports", state.reports), ("recipients", state.recipients),
                           ("webhooks", state.webhooks)):
        for i, record in enumerate(kept_records):
            bad = next((when for when in _instants(record) if not FIRST <= when <= LAST), None)
            if bad is not None:
                problems.append(Detail(f"{field}[{i}]", f"Holds {exact(bad)}: instants must fall in "
                                                       f"{FIRST.year} to {LAST.year - 1}"))
    for name in ("start", "frozenAt"):
        try:
            when = parse_exact(str(state.clock.get(name)))
        except ValueError:
            continue  # read() named it
        if not FIRST <= when <= LAST:
            problems.append(Detail(f"clock.{name}", f"Must fall in {FIRST.year} to {LAST.year - 1}"))
    return problems


def _unservable(session: Session, state: State) -> list[Detail]:
    """Each record as the API would answer it, held to the contract's schema for it: a record its schema
    refuses (an empty name, a negative count, a period text no client could read) was taken, and then every
    read that showed it was a 500."""
    document = load(spec_path()).sendkit.document
    shapes = shapes_of(document)
    now = session.clock.now()
    problems: list[Detail] = []
    for i, report in enumerate(state.reports):
        problems += shapes.problems("Report", report.to_json(now, None), f"reports[{i}]")
    shown = {"recipients": [r.to_json() for r in state.recipients], "webhooks": [w.to_json() for w in state.webhooks]}
    for field, name in (("recipients", "Recipient"), ("webhooks", "Webhook")):
        for i, record in enumerate(shown[field]):
            problems += shapes.problems(name, record, f"{field}[{i}]")
            problems += [Detail(f"{field}[{i}].{path}", f"Must be at most {SAFE_INTEGER:,}")
                         for path, value in _integers(record) if abs(value) > SAFE_INTEGER]
    first: dict[tuple[Any, str], int] = {}
    for i, recipient in enumerate(state.recipients):  # what the API refuses with a 409 is not imported either
        seen = first.setdefault((recipient.scope, recipient.email.lower()), i)
        if seen != i:
            problems.append(Detail(f"recipients[{i}].email", f"Taken by recipients[{seen}] in the same workspace"))
    return problems


def _integers(value: Any, path: str = "") -> list[tuple[str, int]]:
    """Every integer in a record's JSON, by field path."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _integers(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _integers(v, f"{path}[{i}]")]
    return []


def _instants(value: Any, depth: int = 0) -> list[datetime]:
    """The instants a record holds, in its fields and in the values of its fields (a period, a timeline)."""
    if isinstance(value, datetime):
        return [value]
    if depth > 3 or not dataclasses.is_dataclass(value):
        return []
    return [when for f in dataclasses.fields(value) for when in _instants(getattr(value, f.name), depth + 1)]


def _minted_again(session: Session, state: State) -> list[Detail]:
    """Records whose id the session's counters would hand out again: the next MINT_LOOKAHEAD ids of each
    sequence after its imported count (a count lowered below the ids it handed out, say) would collide."""
    problems = []
    sequences: tuple[tuple[str, list[Any], Any], ...] = (("reports", state.reports, session.reports.ids),
                 ("recipients", state.recipients, session.recipients.ids),
                 ("webhooks", state.webhooks, session.webhooks.ids))
    for field, imported, ids in sequences:
        held = {record.id: i for i, record in enumerate(imported)}
        issued = int(state.ids.get(field, 0))
        if not held:
            continue
        for n in range(issued + 1, issued + 1 + MINT_LOOKAHEAD):
            found = held.get(ids.nth(n))
            if found is not None:
                problems.append(Detail(f"{field}[{found}]", f"Its id is the one the {field} counter hands out "
                                                           f"as id {n}: ids.{field} must be at least {n}"))
    return problems


def _ids(counts: Json) -> None:
    for name in COUNTERS:
        count = counts[name]
        if not isinstance(count, int) or not 0 <= count <= 1_000_000_000:
            raise ValueError(f"{name} must be a count of ids from 0 to 1,000,000,000")


def _one(problems: list[Detail], field: str, read: Callable[[], object]) -> bool:
    try:
        read()
        return True
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        problems.append(Detail(field, _why(exc)))
        return False


def _each(problems: list[Detail], document: Json, field: str, read: Callable[[Any], Any],
          prefix: str = "") -> list[Any]:
    items = document.get(field)
    if not isinstance(items, list):
        problems.append(Detail(prefix + field, "Must be an array"))
        return []
    out = []
    for i, item in enumerate(items):
        try:
            out.append(read(item))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            problems.append(Detail(f"{prefix}{field}[{i}]", _why(exc)))
    ids = [getattr(x, "id", None) for x in out if getattr(x, "id", None)]
    if len(ids) != len(set(ids)):
        problems.append(Detail(prefix + field, "Holds the same id twice"))
    return out


def _why(exc: Exception) -> str:
    return f"Missing field {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__


def _record(item: Any) -> Json:
    if not isinstance(item, dict):
        raise TypeError("Must be an object")
    return item


