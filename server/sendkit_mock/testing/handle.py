"""A handle on one session of a running mock, through its control plane (`/__mock`), for tests.

It is a client like any other: it talks to the mock over a `Transport` (HTTP for a served mock, the test
client for an in-process app) and never reaches into the server's objects, so the same handle drives a mock
in a thread, in another process or on another host.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.world import World
from ..spec import template_pattern

NO_BODY: Any = object()  # stub(): no body given (None is a body: JSON null)
Json = dict[str, Any]
Transport = Callable[[str, str, Any, Mapping[str, str]], tuple[int, Any]]  # (method, path, body, headers)


class MockRequestError(AssertionError):
    """A control-plane call the mock refused: its status and SendKit-shaped error."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {path} answered {status}: {json.dumps(body)}")
        self.status, self.body = status, body


class NotRequested(AssertionError):
    """`assert_requested` found no (or not that many) matching requests in the journal."""


class ContractBroken(AssertionError):
    """`assert_no_violations` found a request that broke the contract, or no request at all to check."""


def http_transport(base_url: str, timeout: float = 10.0) -> Transport:
    """The standard library's HTTP client: no dependency for the people who import this handle."""

    def call(method: str, path: str, body: Any, headers: Mapping[str, str]) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(base_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode("utf-8", errors="replace")

    return call


@dataclass(frozen=True, slots=True)
class WorkspaceKeys:
    id: str
    name: str
    key: str
    owner_key: str  # the platform key of the workspace's owner
    campaign_ids: tuple[str, ...]
    recipient_ids: tuple[str, ...]


class Keys:
    """The fixture world's keys and ids by name: `keys.workspace` (the first workspace's key), `keys.platform`
    (its owner's platform key), `keys.workspace_id`, `keys.campaign_ids`, and `keys["Northwind Labs"]` for any
    workspace of the world."""

    def __init__(self, world: World) -> None:
        users = {u.id: u for u in world.users}
        self.workspaces = {
            w.name: WorkspaceKeys(w.id, w.name, w.api_key, users[w.owner_id].api_key,
                                  tuple(c.id for c in w.campaigns), tuple(r.id for r in w.recipients))
            for w in world.workspaces}
        self.users = {u.name: u.api_key for u in world.users}
        first = next(iter(self.workspaces.values()))
        self.workspace, self.workspace_id, self.platform = first.key, first.id, first.owner_key
        self.campaign_ids = first.campaign_ids

    def __getitem__(self, workspace_name: str) -> WorkspaceKeys:
        return self.workspaces[workspace_name]

    def __repr__(self) -> str:
        return f"Keys(workspace={self.workspace!r}, platform={self.platform!r}, workspaces={list(self.workspaces)})"


class ClockHandle:
    """The session's clock: `advance(seconds)`, `set(instant)`, `manual()` / `real()`, and `now`. Each move
    runs what fell due (status changes, webhooks, e-mails) before it returns."""

    def __init__(self, handle: MockHandle) -> None:
        self._handle = handle

    @property
    def now(self) -> datetime:
        return _instant(self._handle.control("GET", "/__mock/clock")["now"])

    @property
    def mode(self) -> str:
        return str(self._handle.control("GET", "/__mock/clock")["mode"])

    def advance(self, seconds: float) -> datetime:
        return _instant(self._handle.control("POST", "/__mock/clock", {"advance": seconds})["now"])

    def set(self, instant: datetime | str) -> datetime:
        text = instant if isinstance(instant, str) else instant.isoformat().replace("+00:00", "Z")
        return _instant(self._handle.control("POST", "/__mock/clock", {"set": text})["now"])

    def manual(self) -> None:
        self._handle.control("POST", "/__mock/clock", {"mode": "manual"})

    def real(self) -> None:
        self._handle.control("POST", "/__mock/clock", {"mode": "real"})


class MockHandle:
    """One session of a mock. `url` and `headers` are what a client needs; the rest drives and inspects it."""

    def __init__(self, transport: Transport, world: World, *, url: str = "", session: str = "default",
                 admin_token: str | None = None) -> None:
        self._transport, self._world, self._admin_token = transport, world, admin_token
        self.url, self.session = url, session
        self.keys = Keys(world)
        self.clock = ClockHandle(self)

    @property
    def headers(self) -> dict[str, str]:
        """The session header: add it to a client's requests to act on this session."""
        return {"X-Mock-Session": self.session}

    def other_session(self, name: str) -> MockHandle:
        """A handle on another (fresh) session of the same mock: a second world beside this one."""
        other = MockHandle(self._transport, self._world, url=self.url, session=name, admin_token=self._admin_token)
        other.reset()
        return other

    # --- the session -------------------------------------------------------------------------------
    def reset(self) -> None:
        self.control("POST", "/__mock/reset")

    def settings(self, **changes: Any) -> Json:
        """The session's simulated behaviour, by the names `serve` and the marker use (`error_rate`,
        `queued_seconds`, `rate_limit`, ...); with changes (`latency="150"`, `error_rate=0.1`), changed."""
        for name in changes:
            if name != snake(name):
                raise TypeError(f"settings() takes snake_case names, as serve's flags and the marker do: "
                                f"{snake(name)}={changes[name]!r}, not {name}")
        body = {camel(name): value for name, value in changes.items()}
        answer = self.control("PATCH", "/__mock/settings", body) if body else self.control("GET", "/__mock/settings")
        return {snake(name): value for name, value in dict(answer).items()}

    def stub(self, method: str, path: str, status: int | None = None, *, times: int | None = 1,
             body: Any = NO_BODY, example: str | None = None, dynamic: bool = False, violation: bool = False,
             headers: Mapping[str, str] | None = None, delay_ms: int | None = None, fault: str | None = None,
             query: Mapping[str, str] | None = None, body_contains: Any = None) -> Json:
        """The next `times` requests of `method` `path` (a template of the contract, `/v1/reports/{id}`, or one
        path) get this answer (`times=None`: every one): a documented `status` with its example, a named
        `example`, a `dynamic` body or a `body` of your own (checked against the contract unless `violation`),
        with `headers`, `delay_ms` or a `fault`. `query` and `body_contains` narrow the requests it takes.
        Returns the stub (`id`, and `fired` as `.stubs()` shows it later)."""
        spec: Json = {"method": method, "path": path, "times": times}
        for name, value in (("status", status), ("example", example), ("headers", headers), ("delayMs", delay_ms),
                            ("fault", fault), ("query", query), ("bodyContains", body_contains)):
            if isinstance(value, Mapping) and name in ("query", "headers"):
                spec[name] = {str(k): str(v) for k, v in value.items()}  # limit=5, as an address has it
            elif value is not None:
                spec[name] = value
        if dynamic:
            spec["dynamic"] = True
        if body is not NO_BODY:
            spec["body"] = body
        if violation:
            spec["violation"] = True  # without a body: a 400 that says so
        return dict(self.control("POST", "/__mock/stubs", spec))

    def stubs(self) -> list[Json]:
        """The session's stubs, each with how many times it `fired` and its `remaining`."""
        return list(self.control("GET", "/__mock/stubs"))

    def remove_stub(self, stub_id: str) -> Json:
        return dict(self.control("DELETE", f"/__mock/stubs/{stub_id}"))

    def clear_stubs(self) -> int:
        return int(self.control("DELETE", "/__mock/stubs")["removed"])

    def force_status(self, report_id: str, status: str, error: str | Mapping[str, str] | None = None) -> Json:
        """Move a report to `processing`, `ready` or `failed` now; returns the report. A failed one's `error`
        is a message (code GENERATION_FAILED) or the whole `{"code": ..., "message": ...}`."""
        if isinstance(error, str):
            error = {"code": "GENERATION_FAILED", "message": error}
        body: Json = {"status": status} | ({"error": dict(error)} if error is not None else {})
        return dict(self.control("PUT", f"/__mock/reports/{report_id}/status", body))

    def state(self, journal: bool = False) -> Json:
        """The session as a state document (with its journal when asked), as `load_state` takes it back."""
        return dict(self.control("GET", "/__mock/state" + ("?journal=true" if journal else "")))

    def load_state(self, document: Json) -> Json:
        return dict(self.control("PUT", "/__mock/state", document))

    # --- what the client sent ----------------------------------------------------------------------
    def requests(self, method: str | None = None, path: str | None = None, status: int | None = None,
                 limit: int = 100) -> list[Json]:
        """The journal, newest first: each request as the client sent it, its status and its violations."""
        query = "&".join(f"{k}={v}" for k, v in (("limit", limit), ("method", method), ("path", path),
                                                 ("status", status)) if v is not None)
        return list(self.control("GET", f"/__mock/requests?{query}"))

    def assert_requested(self, method: str, path: str, count: int | None = None,
                         body_contains: Any = None, **matcher: Any) -> int:
        """Assert the journal holds `count` (default: at least one) requests matching `method` and `path`
        (a `/v1/reports/{id}` template matches any id) and, if given, `body_contains` (a subset of the JSON
        body). Fails with the near misses: the closest requests and what about each did not match."""
        __tracebackhide__ = True
        wanted: Json = {"method": method, **matcher}
        if "{" in path:
            wanted["pathPattern"] = template_pattern(path)
        else:
            wanted["path"] = path
        if body_contains is not None:
            wanted["bodyContains"] = body_contains
        found = self.control("POST", "/__mock/requests/count", wanted)
        seen = int(found["count"])
        if (count is None and seen >= 1) or seen == count:
            return seen
        expected = "at least once" if count is None else f"{count} time(s)"
        lines = [f"expected {method.upper()} {path} to be requested {expected}"
                 + (f" with a body containing {json.dumps(body_contains)}" if body_contains is not None else "")
                 + f", found {seen} (session {self.session})"]
        if found["nearMisses"]:
            lines.append("closest requests in the journal:")
            for near in found["nearMisses"]:
                r = near["request"]
                body = json.dumps(r["body"])
                lines.append(f"  {r['method']} {r['path']} -> {r['status']}  body {body[:200]}"
                             f"  (did not match: {', '.join(near['missed'])})")
        elif seen == 0:
            lines.append("the journal of this session is empty")
        raise NotRequested("\n".join(lines))

    def assert_no_violations(self) -> int:
        """Assert this session's journal holds requests and none broke the contract; returns how many were
        checked. An empty journal fails too: a verdict of "no violations" needs something to have been seen."""
        __tracebackhide__ = True
        entries = self._journal()
        if not entries:
            raise ContractBroken(f"no request in the journal of session {self.session}: nothing was checked")
        broken = [e for e in entries if e.get("violations") or e.get("responseViolations")]
        if not broken:
            return len(entries)
        lines = [f"{len(broken)} of {len(entries)} requests broke the contract (session {self.session}):"]
        for entry in broken[:20]:
            found = [*(entry.get("violations") or []), *(entry.get("responseViolations") or [])]
            lines.append(f"  {entry['method']} {entry['path']} -> {entry['status']}: "
                         + "; ".join(f"{v['field']}: {v['message']}" for v in found))
        raise ContractBroken("\n".join(lines))

    def _journal(self) -> list[Json]:
        """Every entry of this session's journal, newest first (page by page)."""
        entries: list[Json] = []
        cursor = ""
        while True:
            answer = self._call("GET", "/__mock/requests?limit=100" + (f"&cursor={cursor}" if cursor else ""))
            entries += answer.get("data") or []
            pagination = answer.get("pagination") or {}
            if not pagination.get("hasMore") or not pagination.get("nextCursor"):
                return entries
            cursor = pagination["nextCursor"]

    # --- what the mock sent ------------------------------------------------------------------------
    @property
    def outbox(self) -> list[Json]:
        """The report e-mails the mock 'sent' in every workspace, newest first."""
        return self._of_every_workspace("/__mock/outbox", "sentAt")

    @property
    def webhook_deliveries(self) -> list[Json]:
        """Every webhook call the mock made (each attempt: status, latency, error), newest first."""
        return self._of_every_workspace("/__mock/webhook-deliveries", "at")

    def _of_every_workspace(self, path: str, at: str) -> list[Json]:
        entries = [e for w in self._world.workspaces
                   for e in self.control("GET", path, headers={"X-Api-Key": w.api_key})]
        return sorted(entries, key=lambda e: e[at], reverse=True)

    # --- the wire ------------------------------------------------------------------------------------
    def control(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        """One control-plane call on this session; its `data`, or MockRequestError."""
        __tracebackhide__ = True
        return self._call(method, path, body, headers).get("data")

    def _call(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None) -> Json:
        __tracebackhide__ = True
        sent = {**self.headers, **(headers or {})}
        if self._admin_token is not None:
            sent["X-Mock-Admin-Token"] = self._admin_token
        status, answer = self._transport(method, path, body, sent)
        if not 200 <= status < 300 or not isinstance(answer, dict):
            raise MockRequestError(method, path, status, answer)
        return answer


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def camel(name: str) -> str:
    """error_rate -> errorRate: the control plane's JSON names."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """errorRate -> error_rate: the names a Python user sees."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)
