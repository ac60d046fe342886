"""A session's whole state as one versioned JSON document, and back.

`export` writes every record with its internals (seqs, timelines to the microsecond, id counts), so that
export, import, export gives the same bytes. `restore` fills a freshly built session and raises one 400
naming every entry it cannot read; the caller swaps the session in only when it succeeds, so nothing of
the old state is lost on a refused import. What waits for the clock (reports to announce, webhook attempts
to make) is part of the document, so an imported session goes on exactly where the exported one was.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .clock import exact, parse_exact
from .domain.auth import Scope
from .domain.lifecycle import FAILED, READY, Timeline
from .domain.periods import Period
from .domain.recipients import Recipient
from .domain.reports import REPORT_TYPES, Report, Sections
from .domain.schedule import parse_time_of_day, zone
from .domain.stores import COUNTERS
from .domain.webhooks import Job, Stats, Webhook
from .errors import BadRequest, Detail
from .sessions import Session

VERSION = 1
Json = dict[str, Any]
_ID = re.compile(r"^[0-9a-f]{24}$")


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


def export(session: Session) -> Json:
    return {
        "version": VERSION,
        "session": session.name,
        "clock": session.clock.state(),
        "ids": {name: session.stores.counters[name].value for name in COUNTERS},
        "reports": [_report(r) for r in session.reports.all()],
        "recipients": [_recipient(r) for r in sorted(session.recipients.store.all(), key=lambda r: r.seq)],
        "webhooks": [_webhook(h) for h in sorted(session.webhooks.store.all(), key=lambda h: h.seq)],
        "outbox": session.outbox.all(),
        "attempts": session.stores.attempts.all(),
        "journal": session.journal.newest_first(),
        "pending": {
            "announcements": [{"reportId": rid, "due": exact(due)} for due, (rid, _) in
                              session.stores.announcements.all()],
            "deliveries": [_job(due, job) for due, job in session.stores.deliveries.all()],
        },
    }


def restore(session: Session, document: Json) -> None:
    """Load `document` into `session` (freshly built), or raise a 400 naming each bad entry."""
    problems: list[Detail] = []
    if document.get("version") != VERSION:
        raise BadRequest.field("version", f"Must be {VERSION}, the state format this mock reads")
    clock = _one(problems, "clock", lambda: session.clock.restore(document["clock"]))
    ids = _one(problems, "ids", lambda: _ids(session, document["ids"]))
    reports = _each(problems, document, "reports", _read_report)
    recipients = _each(problems, document, "recipients", _read_recipient)
    webhooks = _each(problems, document, "webhooks", _read_webhook)
    logs = {name: _each(problems, document, name, _record) for name in ("outbox", "attempts", "journal")}
    pending = document.get("pending")
    if not isinstance(pending, dict):
        problems.append(Detail("pending", "Must be an object with announcements and deliveries"))
        pending = {}
    announcements = _each(problems, pending, "announcements", _read_announcement, "pending.")
    deliveries = _each(problems, pending, "deliveries", _read_job, "pending.")
    if problems or not (clock and ids):
        raise BadRequest(details=problems)
    stores = session.stores
    session.reports.restore(reports, announcements)
    session.recipients.restore(recipients)
    session.webhooks.restore(webhooks)
    stores.outbox.replace_all(logs["outbox"])
    stores.attempts.replace_all(logs["attempts"])
    session.journal.restore(logs["journal"])
    stores.deliveries.clear()
    for due, job in deliveries:
        stores.deliveries.push(due, job)


def _ids(session: Session, counts: Json) -> None:
    for name in COUNTERS:
        count = counts[name]
        if not isinstance(count, int) or not 0 <= count <= 1_000_000_000:
            raise ValueError(f"{name} must be a count of ids from 0 to 1,000,000,000")
    for name in COUNTERS:
        session.stores.counters[name].set(counts[name])


def _one(problems: list[Detail], field: str, read: Callable[[], object]) -> bool:
    try:
        read()
        return True
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
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
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
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


def _id(value: Any, what: str = "id") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"{what} must be a 24-hex id, not {value!r}")
    return value


def _scope(scope: Scope) -> Json:
    return {"kind": scope.kind, "id": scope.id}


def _read_scope(raw: Json) -> Scope:
    if raw["kind"] not in ("workspace", "user"):
        raise ValueError("scope.kind must be workspace or user")
    return Scope.of(raw["kind"], _id(raw["id"], "scope.id"))


# --- reports -----------------------------------------------------------------------------------------

def _report(r: Report) -> Json:
    t = r.timeline
    return {
        "id": r.id, "seq": r.seq, "scope": _scope(r.scope), "workspaceId": r.workspace_id, "userId": r.user_id,
        "title": r.title, "reportType": r.report_type, "campaignIds": list(r.campaign_ids),
        "period": {"start": exact(r.period.start), "end": exact(r.period.end), "startText": r.period.start_text,
                   "endText": r.period.end_text},
        "sections": r.sections.to_json(), "recipientIds": list(r.recipient_ids),
        "timeline": {"created": exact(t.created), "starts": exact(t.starts), "finishes": exact(t.finishes),
                     "outcome": t.outcome, "error": dict(t.error) if t.error else None},
    }


def _read_report(raw: Json) -> Report:
    t, p = raw["timeline"], raw["period"]
    if raw["reportType"] not in REPORT_TYPES or t["outcome"] not in (READY, FAILED):
        raise ValueError("reportType or timeline.outcome is not one the API has")
    error = t.get("error")
    if error is not None and not (isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
        raise ValueError("timeline.error must be null or {code, message}")
    return Report(
        id=_id(raw["id"]), seq=int(raw["seq"]), scope=_read_scope(raw["scope"]),
        workspace_id=None if raw["workspaceId"] is None else _id(raw["workspaceId"], "workspaceId"),
        user_id=_id(raw["userId"], "userId"), title=sys.intern(str(raw["title"])),
        report_type=sys.intern(raw["reportType"]),
        campaign_ids=tuple(_id(c, "campaignIds") for c in raw["campaignIds"]),
        period=Period(parse_exact(p["start"]), parse_exact(p["end"]), str(p["startText"]), str(p["endText"])),
        sections=Sections.from_json(raw["sections"]),
        recipient_ids=tuple(_id(r, "recipientIds") for r in raw["recipientIds"]),
        timeline=Timeline(parse_exact(t["created"]), parse_exact(t["starts"]), parse_exact(t["finishes"]),
                          t["outcome"], error),
    )


# --- recipients and webhooks -----------------------------------------------------------------------------

def _recipient(r: Recipient) -> Json:
    return {
        "id": r.id, "seq": r.seq, "scope": _scope(r.scope), "name": r.name, "email": r.email, "company": r.company,
        "role": r.role, "reportType": r.report_type, "campaignIds": list(r.campaign_ids), "active": r.active,
        "schedule": dict(r.schedule),
        "nextScheduledAt": exact(r.next_scheduled_at) if r.next_scheduled_at else None,
        "totalReportsSent": r.total_reports_sent, "createdAt": exact(r.created_at), "updatedAt": exact(r.updated_at),
    }


def _read_recipient(raw: Json) -> Recipient:
    schedule = raw["schedule"]
    if set(schedule) != {"enabled", "frequency", "dayOfWeek", "dayOfMonth", "timeOfDay", "timezone"}:
        raise ValueError("schedule must hold enabled, frequency, dayOfWeek, dayOfMonth, timeOfDay and timezone")
    recipient = Recipient(
        id=_id(raw["id"]), seq=int(raw["seq"]), scope=_read_scope(raw["scope"]), name=str(raw["name"]),
        email=str(raw["email"]), company=raw["company"], role=raw["role"], report_type=raw["reportType"],
        campaign_ids=tuple(_id(c, "campaignIds") for c in raw["campaignIds"]), active=bool(raw["active"]),
        schedule=dict(schedule),
        next_scheduled_at=parse_exact(raw["nextScheduledAt"]) if raw["nextScheduledAt"] else None,
        total_reports_sent=int(raw["totalReportsSent"]), created_at=parse_exact(raw["createdAt"]),
        updated_at=parse_exact(raw["updatedAt"]),
    )
    try:
        zone(schedule["timezone"]), parse_time_of_day(schedule["timeOfDay"])
    except ValueError:
        raise ValueError("schedule.timezone or schedule.timeOfDay is not one a schedule can run on") from None
    return recipient


def _webhook(h: Webhook) -> Json:
    last = h.stats.last_delivery_at
    return {
        "id": h.id, "seq": h.seq, "scope": _scope(h.scope), "name": h.name, "url": h.url, "events": list(h.events),
        "secret": h.secret, "retryAttempts": h.retry_attempts, "timeoutMs": h.timeout_ms, "status": h.status,
        "createdBy": h.created_by,
        "stats": {"totalDelivered": h.stats.total_delivered, "totalFailed": h.stats.total_failed,
                  "lastDeliveryAt": exact(last) if last else None},
        "createdAt": exact(h.created_at), "updatedAt": exact(h.updated_at),
    }


def _read_webhook(raw: Json) -> Webhook:
    stats = raw["stats"]
    if raw["status"] not in ("active", "inactive"):
        raise ValueError("status must be active or inactive")
    return Webhook(
        id=_id(raw["id"]), seq=int(raw["seq"]), scope=_read_scope(raw["scope"]), name=str(raw["name"]),
        url=str(raw["url"]), events=tuple(map(str, raw["events"])), secret=str(raw["secret"]),
        retry_attempts=int(raw["retryAttempts"]), timeout_ms=int(raw["timeoutMs"]), status=raw["status"],
        created_by=_id(raw["createdBy"], "createdBy"),
        stats=Stats(int(stats["totalDelivered"]), int(stats["totalFailed"]),
                    parse_exact(stats["lastDeliveryAt"]) if stats["lastDeliveryAt"] else None),
        created_at=parse_exact(raw["createdAt"]), updated_at=parse_exact(raw["updatedAt"]),
    )


# --- what waits for the clock ----------------------------------------------------------------------------

def _read_announcement(raw: Json) -> tuple[str, Any]:
    return _id(raw["reportId"], "reportId"), parse_exact(raw["due"])


def _job(due: Any, job: Job) -> Json:
    return {"due": exact(due), "deliveryId": job.delivery_id, "webhookId": job.webhook_id,
            "workspaceId": job.workspace_id, "event": job.event, "attempt": job.attempt,
            "body": base64.b64encode(job.body).decode("ascii")}


def _read_job(raw: Json) -> tuple[Any, Job]:
    attempt = raw["attempt"]
    if not isinstance(attempt, int) or attempt < 1:
        raise ValueError("attempt must be a whole number from 1")
    body = base64.b64decode(str(raw["body"]), validate=True)
    return parse_exact(raw["due"]), Job(_id(raw["deliveryId"], "deliveryId"), _id(raw["webhookId"], "webhookId"),
                                        _id(raw["workspaceId"], "workspaceId"), str(raw["event"]), body, attempt)
