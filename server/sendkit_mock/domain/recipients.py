"""Report recipients [C]: who receives reports, and on what schedule (the schedule's effects are [I])."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import Clock, iso
from ..errors import BadRequest, Conflict, Detail, NotFound, unknown_campaigns
from .auth import Authenticator, Principal, Scope
from .ids import IdFactory
from .schedule import Schedule, parse_time_of_day, zone
from .stores import Guard, Page, Store, UnknownCursor, refill
from .world import Workspace, World

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(rf"^{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})+$")  # openapi.yaml's pattern, to the letter
SCHEDULE_DEFAULTS: dict[str, Any] = {
    "enabled": False, "frequency": "weekly", "dayOfWeek": 1, "dayOfMonth": 1, "timeOfDay": "09:00", "timezone": "UTC",
}

PER_WORKSPACE = 1_000  # [I] recipients one workspace may hold: the mock's bound, not SendKit's (unpublished)


@dataclass(frozen=True, slots=True)
class Recipient:
    id: str
    seq: int
    scope: Scope
    name: str
    email: str
    company: str | None
    role: str | None
    report_type: str
    campaign_ids: tuple[str, ...]
    active: bool
    schedule: Mapping[str, Any]  # the request's fields, defaults filled in; no nextScheduledAt
    next_scheduled_at: datetime | None
    total_reports_sent: int
    created_at: datetime
    updated_at: datetime

    @property
    def workspace_id(self) -> str:
        return self.scope.id

    @property
    def due_schedule(self) -> Schedule | None:
        if not (self.active and self.schedule["enabled"]):
            return None
        return Schedule(
            frequency=self.schedule["frequency"],
            time_of_day=parse_time_of_day(self.schedule["timeOfDay"]),
            timezone=zone(self.schedule["timezone"]),
            day_of_week=self.schedule["dayOfWeek"],
            day_of_month=self.schedule["dayOfMonth"],
        )

    def to_json(self) -> dict[str, Any]:
        next_at = iso(self.next_scheduled_at) if self.next_scheduled_at else None
        return {
            "_id": self.id,
            "name": self.name,
            "email": self.email,
            "company": self.company,
            "role": self.role,
            "reportType": self.report_type,
            "campaignIds": list(self.campaign_ids),
            "active": self.active,
            "schedule": {**self.schedule, "nextScheduledAt": next_at},
            "totalReportsSent": self.total_reports_sent,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }


class RecipientService:
    def __init__(self, world: World, auth: Authenticator, clock: Clock, ids: IdFactory,
                 store: Store[Recipient], guard: Guard) -> None:
        self.world, self.auth, self.clock, self.ids = world, auth, clock, ids
        self.store = store
        self._guard = guard
        with guard.lock("recipients"):
            if guard.first("fixtures"):  # a session's stores get the fixtures once, whoever builds a view first
                self.load_fixtures()

    def load_fixtures(self) -> None:
        now = self.clock.now()
        for ws in self.world.workspaces:
            for r in ws.recipients:
                body = {"name": r.name, "email": r.email, "company": r.company, "role": r.role,
                        "reportType": r.report_type, "campaignIds": list(r.campaign_ids)}
                self.store.add(self._build(r.id, Scope.of("workspace", ws.id), body, now))

    def restore(self, recipients: list[Recipient]) -> None:
        """Replace every recipient with these (a state file's); new ones continue after the highest seq."""
        with self._guard.lock("recipients"):
            refill(self.store, recipients)

    # --- reads ---------------------------------------------------------------------------------
    def get(self, principal: Principal, header: str | None, recipient_id: str) -> Recipient:
        ws = self.auth.workspace(principal, header)
        found = self.store.get(recipient_id)
        if found is None or found.scope != Scope.of("workspace", ws.id):
            raise NotFound(details=[Detail("id", f"No recipient {recipient_id} in this workspace")])
        return found

    def page(self, principal: Principal, header: str | None, *, cursor: str | None, limit: int,
             search: str | None = None) -> Page[Recipient]:
        ws = self.auth.workspace(principal, header)
        needle = (search or "").strip().lower()

        def keep(r: Recipient) -> bool:
            return any(needle in (field or "").lower() for field in (r.name, r.email, r.company))

        try:
            scope = Scope.of("workspace", ws.id)
            return self.store.page(scope, cursor=cursor, limit=limit, keep=keep if needle else None)
        except UnknownCursor:
            raise NotFound.unknown_cursor() from None

    def known_ids(self, workspaces: tuple[Workspace, ...]) -> set[str]:
        return {r.id for ws in workspaces for r in self.store.in_scope(Scope.of("workspace", ws.id))}

    def due(self, now: datetime) -> list[Recipient]:
        """Active recipients whose schedule fell due at or before `now`, soonest first."""
        due = [r for ws in self.world.workspaces for r in self.store.in_scope(Scope.of("workspace", ws.id))
               if r.next_scheduled_at is not None and r.next_scheduled_at <= now]
        return sorted(due, key=lambda r: (r.next_scheduled_at, r.seq))

    # --- writes --------------------------------------------------------------------------------
    def create(self, principal: Principal, header: str | None, body: Mapping[str, Any]) -> Recipient:
        ws = self.auth.workspace(principal, header)
        self._check(ws, body)
        with self._guard.lock("recipients"):
            self._check_unique(ws, body["email"], None)
            held = self.store.page(Scope.of("workspace", ws.id), cursor=None, limit=1).total
            if held >= PER_WORKSPACE:
                raise Conflict(f"The workspace holds its limit of {PER_WORKSPACE:,} recipients: delete one first",
                               details=[Detail("email", f"At most {PER_WORKSPACE:,} recipients per workspace")])
            recipient = self._build(self.ids.new(), Scope.of("workspace", ws.id), body, self.clock.now())
            self.store.add(recipient)
        return recipient

    def update(self, principal: Principal, header: str | None, recipient_id: str, body: Mapping[str, Any]) -> Recipient:
        with self._guard.lock("recipients"):
            current = self.get(principal, header, recipient_id)
            ws = self.auth.workspace(principal, header)
            merged = {**current.to_json(), **{k: v for k, v in body.items() if k != "schedule"}}
            merged["schedule"] = {**current.schedule, **(body.get("schedule") or {})}
            if merged["reportType"] == "campaign" and not merged["campaignIds"] and "reportType" not in body:
                raise Conflict("A campaign recipient needs 1 to 10 campaigns",
                               details=[Detail("campaignIds", "Would leave this campaign recipient without campaigns")])
            self._check(ws, merged)
            if "email" in body:
                self._check_unique(ws, body["email"], current.id)
            now = self.clock.now()
            updated = self._build(current.id, current.scope, merged, now, seq=current.seq,
                                  created_at=current.created_at,
                                  total=current.total_reports_sent)
            self.store.replace(updated)
        return updated

    def delete(self, principal: Principal, header: str | None, recipient_id: str) -> Recipient:
        with self._guard.lock("recipients"):
            found = self.get(principal, header, recipient_id)
            self.store.delete(found.id)
        return found

    def delivered(self, recipient_id: str, when: datetime) -> Recipient | None:
        """Count one delivered report; None if the recipient is gone."""
        with self._guard.lock("recipients"):
            current = self.store.get(recipient_id)
            if current is None:
                return None
            updated = dataclasses.replace(current, total_reports_sent=current.total_reports_sent + 1, updated_at=when)
            self.store.replace(updated)
            return updated

    def reschedule(self, recipient_id: str, after: datetime) -> None:
        with self._guard.lock("recipients"):
            current = self.store.get(recipient_id)
            schedule = current.due_schedule if current else None
            if current is not None:
                next_at = schedule.next_after(after) if schedule else None
                self.store.replace(dataclasses.replace(current, next_scheduled_at=next_at))

    # --- rules ---------------------------------------------------------------------------------
    def _check(self, ws: Workspace, body: Mapping[str, Any]) -> None:
        details: list[Detail] = []
        if not EMAIL.fullmatch(body.get("email") or ""):
            details.append(Detail("email", "Invalid email format"))
        schedule = {**SCHEDULE_DEFAULTS, **(body.get("schedule") or {})}
        try:
            zone(schedule["timezone"])
        except ValueError:
            details.append(Detail("schedule.timezone", "Must be an IANA time zone, e.g. America/New_York"))
        try:
            parse_time_of_day(schedule["timeOfDay"])
        except ValueError:
            details.append(Detail("schedule.timeOfDay", "Must be a time of day as HH:MM (24-hour)"))
        if body.get("reportType") == "campaign" and not body.get("campaignIds"):
            details.append(Detail("campaignIds", "Required for campaign recipients: 1 to 10 campaign ids"))
        if details:
            raise BadRequest(details=details)
        unknown = unknown_campaigns(ws.unknown_campaigns(list(body.get("campaignIds") or [])))
        if unknown:
            raise NotFound(details=unknown)

    def _check_unique(self, ws: Workspace, email: str, except_id: str | None) -> None:
        taken = any(r.email.lower() == email.lower() and r.id != except_id
                    for r in self.store.in_scope(Scope.of("workspace", ws.id)))
        if taken:
            raise Conflict("A recipient with this email already exists in this workspace",
                           details=[Detail("email", "Duplicate email within the workspace")])

    def _build(self, rid: str, scope: Scope, body: Mapping[str, Any], now: datetime, *, seq: int | None = None,
               created_at: datetime | None = None, total: int = 0) -> Recipient:
        schedule = {k: (body.get("schedule") or {}).get(k, v) for k, v in SCHEDULE_DEFAULTS.items()}
        report_type = body.get("reportType") or "workspace"
        recipient = Recipient(
            id=rid, seq=seq if seq is not None else self.store.next_seq(), scope=scope,
            name=body["name"].strip(), email=body["email"], company=body.get("company"), role=body.get("role"),
            report_type=report_type,
            campaign_ids=tuple(body.get("campaignIds") or ()) if report_type == "campaign" else (),
            active=body.get("active", True), schedule=schedule, next_scheduled_at=None,
            total_reports_sent=total, created_at=created_at or now, updated_at=now,
        )
        plan = recipient.due_schedule
        return dataclasses.replace(recipient, next_scheduled_at=plan.next_after(now) if plan else None)
