"""Stubs: the next answers of one operation, put there by a test (`POST /__mock/stubs`, `sendkit_mock.stub()`).

What WireMock is used for: "the next `GET /v1/reports/{id}` answers 503, twice". A stub names an operation of
SendKit's contract by method and path (the template, `/v1/reports/{id}`, for every id; a path, for that one),
optionally a subset of the query and of the JSON body, and says what to answer: a documented status with its
example, a named example or a generated body (as `Prefer` does), or a body of its own (checked against the
contract unless it is declared a deliberate violation), with headers, a delay or a fault. It answers `times`
requests (1 unless told; `null`: every one), in the order stubs were put, the newest winning when several fit.

A stub fires after the key check and validation, like `Prefer` (`api/canned.py`): it is what SendKit answers
to a request it took, so a client's own mistakes still get their 400. Each firing is counted, the journal
marks it (`injected: "stub:<id>"`), and a reset clears every stub. A session holds at most MAX_STUBS.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl

import jsonschema

from ..errors import BadRequest, Conflict, Detail, MissingExtra, NotFound, need
from ..spec import OperationIndex, resolved
from .answers import Answers
from .prefer import FAULTS, MAX_DELAY_MS

Json = dict[str, Any]
MAX_STUBS = 100  # per session
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")  # an HTTP header name (RFC 9110's token)
_VALUE = re.compile(r"[\t\x20-\x7e]{0,1000}")
_FRAMING = {"content-length", "transfer-encoding", "connection"}  # how the answer is framed: the server's
MAX_TIMES = 100_000
MAX_STUB_BYTES = 16_384  # a stub as JSON, its body included
MAX_DEPTH = 32
FIELDS = ("method", "path", "query", "bodyContains", "times", "status", "example", "dynamic", "body", "violation",
          "headers", "delayMs", "fault")


class StubStore(Protocol):
    """A session's stubs as JSON, in the order put (stores/memory.py, stores/redis.py)."""

    def read(self) -> list[Json]: ...

    def write(self, stubs: list[Json]) -> None: ...


class Locking(Protocol):
    def lock(self, name: str) -> Any: ...


class StubRules:
    """What a stub may say, read from SendKit's contract: its operations, their documented answers and schemas."""

    def __init__(self, index: OperationIndex, answers: Answers) -> None:
        self.index, self.answers = index, answers

    def read(self, spec: Mapping[str, Any]) -> Json:
        """The stub a request body describes, checked; a 400 naming the field that cannot be used."""
        unknown = sorted(set(spec) - set(FIELDS))
        if unknown:
            raise BadRequest.field(unknown[0], f"Not a stub field; the fields are {', '.join(FIELDS)}")
        method, path = str(spec.get("method", "")).upper(), str(spec.get("path", ""))
        route = self.index.route(path) if path.startswith("/v1/") else None
        operation = route.operation(method) if route is not None else None
        if operation is None:
            raise BadRequest.field("path", f"{method} {path[:200]} is no operation of SendKit's contract "
                                           "(a path as /v1/reports/{id}, or one report's path)")
        if route is not None and path != route.template:
            self._check_path(route, operation, path)
        if spec.get("bodyContains") is not None and "requestBody" not in operation.spec:
            raise BadRequest.field("bodyContains", f"{method} {route.template if route else path} takes no body")
        if spec.get("violation") and "body" not in spec:
            raise BadRequest.field("violation", "A deliberate violation is a body of the stub's own: give `body`")
        if spec.get("dynamic"):
            try:
                need("dynamic", "jsf")
            except MissingExtra as exc:
                raise BadRequest.field("dynamic", str(exc)) from None
        stub: Json = {"operationId": operation.operation_id, "method": method, "path": path,
                      "template": route.template if route is not None else path,
                      "query": _strings(spec.get("query") or {}, "query"),
                      "bodyContains": spec.get("bodyContains"), "times": spec.get("times", 1), "fired": 0}
        times = stub["times"]
        if times is not None and (not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_TIMES):
            raise BadRequest.field("times", f"1 to {MAX_TIMES:,}, or null for every request")
        for field in ("bodyContains", "body"):
            if _depth(spec.get(field)) > MAX_DEPTH:
                raise BadRequest.field(field, f"Nested at most {MAX_DEPTH} levels")
        stub["answer"] = self._answer(operation.operation_id, spec)
        if len(json.dumps(stub, separators=(",", ":"))) > MAX_STUB_BYTES:
            raise BadRequest.field("body", f"A stub takes at most {MAX_STUB_BYTES:,} characters of JSON")
        return stub

    @staticmethod
    def _check_path(route: Any, operation: Any, path: str) -> None:
        """One path: each of its values one the contract takes (else no request to it reaches a stub)."""
        if "{" in path or "}" in path:
            raise BadRequest.field("path", f"The contract's template is {route.template}; a path names one value")
        values = route.values(path)
        for parameter in operation.parameters:
            if parameter.get("in") != "path" or parameter["name"] not in values:
                continue
            schema = resolved(operation.document.document, parameter.get("schema", {}))
            if not jsonschema.Draft4Validator(schema).is_valid(values[parameter["name"]]):
                raise BadRequest.field("path", f"{values[parameter['name']][:100]!r} is no {parameter['name']} the "
                                               f"contract takes ({schema.get('pattern', schema.get('type'))})")

    def _answer(self, operation_id: str, spec: Mapping[str, Any]) -> Json:
        answer: Json = {"headers": _strings(spec.get("headers") or {}, "headers")}
        for name, value in answer["headers"].items():
            if not _TOKEN.fullmatch(name) or name.lower() in _FRAMING or not _VALUE.fullmatch(value):
                raise BadRequest.field(f"headers.{name[:100]}", "A header name (not Content-Length, "
                                       "Transfer-Encoding or Connection) and a value of visible ASCII")
        delay, fault = spec.get("delayMs"), spec.get("fault")
        if delay is not None:
            if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= MAX_DELAY_MS:
                raise BadRequest.field("delayMs", f"0 to {MAX_DELAY_MS:,} milliseconds")
            answer["delayMs"] = delay
        if fault is not None:
            if fault not in FAULTS:
                raise BadRequest.field("fault", "One of " + ", ".join(FAULTS))
            answer["fault"] = fault
        status = spec.get("status")
        if status is None:
            if "body" in spec or "example" in spec or spec.get("dynamic"):
                raise BadRequest.field("status", "An answer's body needs its status")
            if delay is None and fault is None:
                raise BadRequest.field("status", "A stub answers something: a status, a delay or a fault")
            return answer  # the handler's own answer, slowed or broken
        documented = self.answers.documented(operation_id)
        if status not in documented:
            raise BadRequest.field("status", f"{operation_id} documents {', '.join(map(str, documented))}")
        answer["status"] = status
        if "body" in spec:
            body = spec["body"]
            if not spec.get("violation"):
                schema = self.answers.schema(operation_id, status)
                errors = [] if schema is None else sorted(jsonschema.Draft4Validator(schema).iter_errors(body), key=str)
                if errors:
                    where = "/".join(str(p) for p in errors[0].absolute_path) or "the body"
                    raise BadRequest(f"The body is not what {operation_id} answers with {status}; "
                                     "`violation: true` sends it anyway", details=[
                                         Detail("body", f"{where}: {errors[0].message[:300]}")])
            answer["body"], answer["violation"] = body, bool(spec.get("violation"))
        elif spec.get("example") is not None or spec.get("dynamic"):
            answer["example"], answer["dynamic"] = spec.get("example"), bool(spec.get("dynamic"))
            if answer["example"] is not None and answer["example"] not in self.answers.example_names(
                    operation_id, status):
                raise BadRequest.field("example", f"{operation_id} {status} names no example {answer['example']!r}")
        return answer


class Stubs:
    """One session's stubs over its store, under its lock (several workers take from one Redis)."""

    def __init__(self, store: StubStore, guard: Locking) -> None:
        self.store, self.guard = store, guard

    def put(self, stub: Json) -> Json:
        with self.guard.lock("stubs"):
            stubs = self.store.read()
            if len(stubs) >= MAX_STUBS:
                raise Conflict(f"A session holds at most {MAX_STUBS} stubs; DELETE /__mock/stubs clears them",
                               details=[Detail("stubs", f"At most {MAX_STUBS}")])
            taken = {s["id"] for s in stubs}
            number = len(stubs) + 1
            while f"stub-{number}" in taken:
                number += 1
            stub = {"id": f"stub-{number}", **stub}
            self.store.write([*stubs, stub])
        return shown(stub)

    def all(self) -> list[Json]:
        return [shown(s) for s in self.store.read()]

    def remove(self, stub_id: str) -> Json:
        with self.guard.lock("stubs"):
            stubs = self.store.read()
            found = next((s for s in stubs if s["id"] == stub_id), None)
            if found is None:
                raise NotFound(f"No stub {stub_id[:100]} in this session", details=[Detail("id", "No such stub")])
            self.store.write([s for s in stubs if s["id"] != stub_id])
        return shown(found)

    def clear(self) -> int:
        with self.guard.lock("stubs"):
            count = len(self.store.read())
            self.store.write([])
        return count

    def take(self, operation_id: str, path: str, query: str, body: Callable[[], Any]) -> Json | None:
        """The newest live stub of the operation that fits the request, its firing counted; None when none."""
        if not self.store.read():  # the cost when nobody stubbed anything: one read
            return None
        with self.guard.lock("stubs"):
            stubs = self.store.read()
            for stub in reversed(stubs):
                if stub["operationId"] != operation_id or _spent(stub) or not _fits(stub, path, query, body):
                    continue
                fired = {**stub, "fired": stub["fired"] + 1}
                self.store.write([fired if s["id"] == stub["id"] else s for s in stubs])
                return fired
        return None


def shown(stub: Json) -> Json:
    """A stub as the control plane answers it: with how many times it fired and may still fire."""
    out = {k: copy.deepcopy(v) for k, v in stub.items() if k != "template"}
    out["remaining"] = None if stub["times"] is None else max(0, stub["times"] - stub["fired"])
    return out


def _spent(stub: Json) -> bool:
    return stub["times"] is not None and stub["fired"] >= stub["times"]


def _fits(stub: Json, path: str, query: str, body: Callable[[], Any]) -> bool:
    if stub["path"] != stub["template"] and stub["path"] != path:
        return False
    given = dict(parse_qsl(query, keep_blank_values=True)) if stub["query"] else {}
    if any(given.get(k) != v for k, v in stub["query"].items()):
        return False
    wanted = stub.get("bodyContains")
    return wanted is None or contains(body(), wanted)


def contains(value: Any, wanted: Any) -> bool:
    """`wanted` is in `value` as a subset: an object's keys recursively, each wanted array item in some item."""
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(k in value and contains(value[k], v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(value, list) and all(any(contains(item, w) for item in value) for w in wanted)
    return bool(isinstance(value, bool) == isinstance(wanted, bool) and value == wanted)  # true is not 1


def _strings(values: Any, field: str) -> dict[str, str]:
    if not isinstance(values, dict) or not all(isinstance(v, str | int | float) and not isinstance(v, bool)
                                                for v in values.values()):
        raise BadRequest.field(field, "An object of names to text values")
    if len(values) > 32:
        raise BadRequest.field(field, "At most 32 names")
    return {str(k)[:200]: str(v)[:1_000] for k, v in values.items()}


def body_json(raw: bytes) -> Any:
    """A request body for `bodyContains`: its JSON, or None."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _depth(value: Any, level: int = 0) -> int:
    """How deep a JSON value nests (cut short past MAX_DEPTH)."""
    if level > MAX_DEPTH or not isinstance(value, dict | list):
        return level
    items = value.values() if isinstance(value, dict) else value
    return max((_depth(item, level + 1) for item in items), default=level + 1)
