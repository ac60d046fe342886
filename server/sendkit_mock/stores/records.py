"""Records as JSON documents, exact to the microsecond: what a state file and the shared store write.

Every reader checks what it reads (ids, enumerations, instants) and raises KeyError, TypeError or
ValueError naming the field, so a state file's bad entry is a 400 naming it.
"""

from __future__ import annotations

import base64
import re
import sys
from typing import Any

from ..clock import exact, parse_exact
from ..domain.auth import Scope
from ..domain.lifecycle import FAILED, READY, Timeline
from ..domain.periods import Period
from ..domain.recipients import Recipient
from ..domain.reports import REPORT_TYPES, Report, Sections
from ..domain.schedule import parse_time_of_day, zone
from ..domain.webhooks import Job, Stats, Webhook

Json = dict[str, Any]
_ID = re.compile(r"^[0-9a-f]{24}$")


def read_id(value: Any, what: str = "id") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"{what} must be a 24-hex id, not {value!r}")
    return value


def scope_json(scope: Scope) -> Json:
    return {"kind": scope.kind, "id": scope.id}


def read_scope(raw: Json) -> Scope:
    if raw["kind"] not in ("workspace", "user"):
        raise ValueError("scope.kind must be workspace or user")
    return Scope.of(raw["kind"], read_id(raw["id"], "scope.id"))


# --- reports -----------------------------------------------------------------------------------------

def report_json(r: Report) -> Json:
    t = r.timeline
    return {
        "id": r.id, "seq": r.seq, "scope": scope_json(r.scope), "workspaceId": r.workspace_id, "userId": r.user_id,
        "title": r.title, "reportType": r.report_type, "campaignIds": list(r.campaign_ids),
        "period": {"start": exact(r.period.start), "end": exact(r.period.end), "startText": r.period.start_text,
                   "endText": r.period.end_text},
        "sections": r.sections.to_json(), "recipientIds": list(r.recipient_ids),
        "timeline": {"created": exact(t.created), "starts": exact(t.starts), "finishes": exact(t.finishes),
                     "outcome": t.outcome, "error": dict(t.error) if t.error else None},
    }


def read_report(raw: Json) -> Report:
    t, p = raw["timeline"], raw["period"]
    if raw["reportType"] not in REPORT_TYPES or t["outcome"] not in (READY, FAILED):
        raise ValueError("reportType or timeline.outcome is not one the API has")
    error = t.get("error")
    if error is not None and not (isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
        raise ValueError("timeline.error must be null or {code, message}")
    return Report(
        id=read_id(raw["id"]), seq=int(raw["seq"]), scope=read_scope(raw["scope"]),
        workspace_id=None if raw["workspaceId"] is None else read_id(raw["workspaceId"], "workspaceId"),
        user_id=read_id(raw["userId"], "userId"), title=sys.intern(str(raw["title"])),
        report_type=sys.intern(raw["reportType"]),
        campaign_ids=tuple(read_id(c, "campaignIds") for c in raw["campaignIds"]),
        period=Period(parse_exact(p["start"]), parse_exact(p["end"]), str(p["startText"]), str(p["endText"])),
        sections=Sections.from_json(raw["sections"]),
        recipient_ids=tuple(read_id(r, "recipientIds") for r in raw["recipientIds"]),
        timeline=Timeline(parse_exact(t["created"]), parse_exact(t["starts"]), parse_exact(t["finishes"]),
                          t["outcome"], error),
    )


# --- recipients and webhooks -----------------------------------------------------------------------------

def recipient_json(r: Recipient) -> Json:
    return {
        "id": r.id, "seq": r.seq, "scope": scope_json(r.scope), "name": r.name, "email": r.email, "company": r.company,
        "role": r.role, "reportType": r.report_type, "campaignIds": list(r.campaign_ids), "active": r.active,
        "schedule": dict(r.schedule),
        "nextScheduledAt": exact(r.next_scheduled_at) if r.next_scheduled_at else None,
        "totalReportsSent": r.total_reports_sent, "createdAt": exact(r.created_at), "updatedAt": exact(r.updated_at),
    }


def read_recipient(raw: Json) -> Recipient:
    schedule = raw["schedule"]
    if set(schedule) != {"enabled", "frequency", "dayOfWeek", "dayOfMonth", "timeOfDay", "timezone"}:
        raise ValueError("schedule must hold enabled, frequency, dayOfWeek, dayOfMonth, timeOfDay and timezone")
    recipient = Recipient(
        id=read_id(raw["id"]), seq=int(raw["seq"]), scope=read_scope(raw["scope"]), name=str(raw["name"]),
        email=str(raw["email"]), company=raw["company"], role=raw["role"], report_type=raw["reportType"],
        campaign_ids=tuple(read_id(c, "campaignIds") for c in raw["campaignIds"]), active=bool(raw["active"]),
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


def webhook_json(h: Webhook) -> Json:
    last = h.stats.last_delivery_at
    return {
        "id": h.id, "seq": h.seq, "scope": scope_json(h.scope), "name": h.name, "url": h.url, "events": list(h.events),
        "secret": h.secret, "retryAttempts": h.retry_attempts, "timeoutMs": h.timeout_ms, "status": h.status,
        "createdBy": h.created_by,
        "stats": {"totalDelivered": h.stats.total_delivered, "totalFailed": h.stats.total_failed,
                  "lastDeliveryAt": exact(last) if last else None},
        "createdAt": exact(h.created_at), "updatedAt": exact(h.updated_at),
    }


def read_webhook(raw: Json) -> Webhook:
    stats = raw["stats"]
    if raw["status"] not in ("active", "inactive"):
        raise ValueError("status must be active or inactive")
    return Webhook(
        id=read_id(raw["id"]), seq=int(raw["seq"]), scope=read_scope(raw["scope"]), name=str(raw["name"]),
        url=str(raw["url"]), events=tuple(map(str, raw["events"])), secret=str(raw["secret"]),
        retry_attempts=int(raw["retryAttempts"]), timeout_ms=int(raw["timeoutMs"]), status=raw["status"],
        created_by=read_id(raw["createdBy"], "createdBy"),
        stats=Stats(int(stats["totalDelivered"]), int(stats["totalFailed"]),
                    parse_exact(stats["lastDeliveryAt"]) if stats["lastDeliveryAt"] else None),
        created_at=parse_exact(raw["createdAt"]), updated_at=parse_exact(raw["updatedAt"]),
    )


# --- what waits for the clock ----------------------------------------------------------------------------

def read_announcement(raw: Json) -> tuple[str, Any]:
    return read_id(raw["reportId"], "reportId"), parse_exact(raw["due"])


def job_json(due: Any, job: Job) -> Json:
    return {"due": exact(due), "deliveryId": job.delivery_id, "webhookId": job.webhook_id,
            "workspaceId": job.workspace_id, "event": job.event, "attempt": job.attempt,
            "body": base64.b64encode(job.body).decode("ascii")}


def read_job(raw: Json) -> tuple[Any, Job]:
    attempt = raw["attempt"]
    if not isinstance(attempt, int) or not 1 <= attempt <= 11:  # a first try and at most 10 retries
        raise ValueError("attempt must be a whole number from 1 to 11")
    body = base64.b64decode(str(raw["body"]), validate=True)
    job = Job(read_id(raw["deliveryId"], "deliveryId"), read_id(raw["webhookId"], "webhookId"),
              read_id(raw["workspaceId"], "workspaceId"), str(raw["event"]), body, attempt)
    return parse_exact(raw["due"]), job
