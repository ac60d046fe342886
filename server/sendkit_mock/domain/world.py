"""The world the mock knows: users, workspaces, keys, campaigns, mailboxes, recipients.

Loaded once from a YAML fixture file and immutable afterwards. Every problem in the file is reported
with the file, the entry and what is wrong, so a broken fixture stops start-up with a readable message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
WORKSPACE_KEY = re.compile(r"^sk_[0-9a-f]{48}$")
PLATFORM_KEY = re.compile(r"^sk_user_[0-9a-f]{48}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CAMPAIGN_STATUSES = ("draft", "active", "paused", "completed", "archived")
MAILBOX_STATUSES = ("active", "inactive", "error", "warming_up", "suspended", "failed", "pending")
DNS_STATUSES = ("pass", "warning", "fail", "missing")


class FixtureError(ValueError):
    """A fixture file that cannot be loaded; the message names the file, the entry and the problem."""


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    email: str
    api_key: str


@dataclass(frozen=True, slots=True)
class Mailbox:
    id: str
    email: str
    display_name: str
    provider: str
    status: str
    daily_send_limit: int
    warmup_enabled: bool
    warmup_status: str
    dns: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Step:
    subject: str
    wait_days: int


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    name: str
    status: str
    leads: int
    mailbox_ids: tuple[str, ...]
    sequence: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Recipient:
    id: str
    name: str
    email: str
    company: str | None
    role: str | None
    report_type: str
    campaign_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str
    owner_id: str
    api_key: str
    mailboxes: tuple[Mailbox, ...]
    campaigns: tuple[Campaign, ...]
    recipients: tuple[Recipient, ...]
    campaigns_by_id: Mapping[str, Campaign] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "campaigns_by_id", {c.id: c for c in self.campaigns})

    def unknown_campaigns(self, campaign_ids: list[str]) -> list[tuple[int, str]]:
        """(position, id) of each id that names no campaign of this workspace."""
        return [(i, cid) for i, cid in enumerate(campaign_ids) if cid not in self.campaigns_by_id]

    def mailbox(self, mailbox_id: str) -> Mailbox | None:
        return next((m for m in self.mailboxes if m.id == mailbox_id), None)


@dataclass(frozen=True, slots=True)
class World:
    users: tuple[User, ...]
    workspaces: tuple[Workspace, ...]

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def workspace(self, workspace_id: str) -> Workspace | None:
        return next((w for w in self.workspaces if w.id == workspace_id), None)

    def owned_by(self, user_id: str) -> tuple[Workspace, ...]:
        return tuple(w for w in self.workspaces if w.owner_id == user_id)


def load_world(path: Path) -> World:
    """Read and check a fixture file; raise FixtureError naming the file, entry and problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read fixture file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise FixtureError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return parse_world(raw)
    except FixtureError as exc:
        raise FixtureError(f"{path}: {exc}") from None


def parse_world(raw: Any) -> World:
    reader = _Reader("world", raw)
    users = tuple(_user(r) for r in reader.items("users"))
    workspaces = tuple(_workspace(r) for r in reader.items("workspaces"))
    world = World(users=users, workspaces=workspaces)
    _check_references(world)
    return world


class _Reader:
    """Typed access to one mapping of the fixture file; errors carry the entry's path."""

    def __init__(self, where: str, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise FixtureError(f"{where}: expected a mapping, got {type(raw).__name__}")
        self.where = where
        self.raw = raw

    def fail(self, key: str, problem: str) -> FixtureError:
        ident = self.raw.get("id")
        label = f"{self.where} (id {ident})" if isinstance(ident, str) and key != "id" else self.where
        return FixtureError(f"{label}: '{key}' {problem}")

    def get(self, key: str, kind: type, default: Any = ...) -> Any:
        if key not in self.raw:
            if default is ...:
                raise self.fail(key, "is required")
            return default
        value = self.raw[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(key, f"must be {kind.__name__}, got {value!r}")
        return value

    def match(self, key: str, pattern: re.Pattern[str], what: str) -> str:
        value: str = self.get(key, str)
        if not pattern.match(value):
            raise self.fail(key, f"must be {what}, got {value!r}")
        return value

    def choice(self, key: str, allowed: Sequence[str], default: Any = ...) -> str:
        value: str = self.get(key, str, default)
        if value not in allowed:
            raise self.fail(key, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def items(self, key: str) -> list[_Reader]:
        values = self.get(key, list, [])
        return [_Reader(f"{self.where}.{key}[{i}]".removeprefix("world."), v) for i, v in enumerate(values)]

    def ids(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        for value in values:
            if not isinstance(value, str) or not OBJECT_ID.match(value):
                raise self.fail(key, f"must hold 24-hex ids, got {value!r}")
        return tuple(values)


def _user(r: _Reader) -> User:
    return User(
        id=r.match("id", OBJECT_ID, "a 24-hex id"),
        name=r.get("name", str),
        email=r.match("email", EMAIL, "an email address"),
        api_key=r.match("apiKey", PLATFORM_KEY, "a platform key (sk_user_ + 48 hex)"),
    )


def _mailbox(r: _Reader) -> Mailbox:
    warmup = _Reader(f"{r.where}.warmup", r.get("warmup", dict, {"enabled": False, "status": "completed"}))
    dns = _Reader(f"{r.where}.dns", r.get("dns", dict, {}))
    return Mailbox(
        id=r.match("id", OBJECT_ID, "a 24-hex id"),
        email=r.match("email", EMAIL, "an email address"),
        display_name=r.get("displayName", str, ""),
        provider=r.choice("provider", ("gmail", "outlook", "azure", "custom"), "custom"),
        status=r.choice("status", MAILBOX_STATUSES, "active"),
        daily_send_limit=r.get("dailySendLimit", int, 50),
        warmup_enabled=warmup.get("enabled", bool, False),
        warmup_status=warmup.choice("status", ("in_progress", "completed", "paused"), "completed"),
        dns={k: dns.choice(k, DNS_STATUSES, "pass") for k in ("spf", "dkim", "dmarc")},
    )


def _step(r: _Reader) -> Step:
    return Step(subject=r.get("subject", str), wait_days=r.get("waitDays", int, 0))


def _campaign(r: _Reader) -> Campaign:
    leads: int = r.get("leads", int, 500)
    if leads < 0:
        raise r.fail("leads", "must not be negative")
    steps = tuple(_step(s) for s in r.items("sequence"))
    if not steps:
        raise r.fail("sequence", "must hold at least one step")
    return Campaign(
        id=r.match("id", OBJECT_ID, "a 24-hex id"),
        name=r.get("name", str),
        status=r.choice("status", CAMPAIGN_STATUSES, "active"),
        leads=leads,
        mailbox_ids=r.ids("mailboxIds"),
        sequence=steps,
    )


def _recipient(r: _Reader) -> Recipient:
    return Recipient(
        id=r.match("id", OBJECT_ID, "a 24-hex id"),
        name=r.get("name", str),
        email=r.match("email", EMAIL, "an email address"),
        company=r.get("company", str, None),
        role=r.get("role", str, None),
        report_type=r.choice("reportType", ("campaign", "workspace"), "workspace"),
        campaign_ids=r.ids("campaignIds"),
    )


def _workspace(r: _Reader) -> Workspace:
    return Workspace(
        id=r.match("id", OBJECT_ID, "a 24-hex id"),
        name=r.get("name", str),
        owner_id=r.match("ownerId", OBJECT_ID, "a 24-hex user id"),
        api_key=r.match("apiKey", WORKSPACE_KEY, "a workspace key (sk_ + 48 hex)"),
        mailboxes=tuple(_mailbox(m) for m in r.items("mailboxes")),
        campaigns=tuple(_campaign(c) for c in r.items("campaigns")),
        recipients=tuple(_recipient(x) for x in r.items("recipients")),
    )


def _check_references(world: World) -> None:
    seen_ids: dict[str, str] = {}
    seen_keys: set[str] = set()
    entries: list[tuple[str, str]] = [(f"users[{i}]", u.id) for i, u in enumerate(world.users)]
    for wi, ws in enumerate(world.workspaces):
        where = f"workspaces[{wi}]"
        entries.append((where, ws.id))
        entries += [(f"{where}.mailboxes[{i}]", m.id) for i, m in enumerate(ws.mailboxes)]
        entries += [(f"{where}.campaigns[{i}]", c.id) for i, c in enumerate(ws.campaigns)]
        entries += [(f"{where}.recipients[{i}]", x.id) for i, x in enumerate(ws.recipients)]
        if world.user(ws.owner_id) is None:
            raise FixtureError(f"{where} (id {ws.id}): 'ownerId' {ws.owner_id} names no user")
        for ci, campaign in enumerate(ws.campaigns):
            for mailbox_id in campaign.mailbox_ids:
                if ws.mailbox(mailbox_id) is None:
                    raise FixtureError(
                        f"{where}.campaigns[{ci}] (id {campaign.id}): 'mailboxIds' {mailbox_id} "
                        "names no mailbox of this workspace"
                    )
    for where, ident in entries:
        if ident in seen_ids:
            raise FixtureError(f"{where}: 'id' {ident} is already used by {seen_ids[ident]}")
        seen_ids[ident] = where
    for key in [u.api_key for u in world.users] + [w.api_key for w in world.workspaces]:
        if key in seen_keys:
            raise FixtureError(f"apiKey {key[:12]}… is used twice")
        seen_keys.add(key)
