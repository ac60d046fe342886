"""The `Prefer` header (RFC 7240) in Stoplight Prism's words, and the mock's own extensions.

`Prefer: code=404, example=empty, dynamic=true, delay=250, status=ready, fault=connection-reset` (several
headers, or one with commas; a token's value may be quoted). The same words as `__code`, `__example`, ...
query parameters for tools that set no headers; a header's value wins over the query's. Preferences the
mock does not know are ignored, as RFC 7240 asks; a known one with a bad value is a 400 naming `Prefer`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from ..errors import BadRequest

HEADER = "Prefer"
FAULTS = ("connection-reset", "empty-response", "malformed-body", "slow-body")
STATUSES = ("queued", "processing", "ready", "failed")
MAX_DELAY_MS = 60_000
MAX_LENGTH = 1_024  # characters of all Prefer headers of a request together (mock-api.yaml says so)
_TOKEN = re.compile(r'^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*))?\s*(?:;.*)?$')
_EXAMPLE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay: int | None = None  # milliseconds
    status: str | None = None
    fault: str | None = None

    @property
    def canned(self) -> bool:
        """The answer comes from the contract (an example or a generated body), not from the handler."""
        return self.code is not None or self.example is not None or self.dynamic

    def applied(self) -> str:
        """The `Preference-Applied` value for what was asked (RFC 7240 §3)."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, False):
                parts.append(f"{f.name}={'true' if value is True else value}")
        return ", ".join(parts)


QUERY_NAMES = {f"__{f.name}": f.name for f in fields(Preferences)}


def parse(headers: Iterable[str], query: Iterable[tuple[str, str]]) -> Preferences:
    """The preferences of one request: each header's known tokens, then the `__name` query parameters for
    what no header said."""
    raw: dict[str, str] = {}
    for name, value in query:
        if name in QUERY_NAMES:
            raw.setdefault(QUERY_NAMES[name], value)
    from_headers: dict[str, str] = {}
    headers = list(headers)
    if sum(len(header) for header in headers) > MAX_LENGTH:
        raise BadRequest.field(HEADER, f"At most {MAX_LENGTH:,} characters")
    for header in headers:
        for token in _split(header):
            match = _TOKEN.match(token)
            if match is None:
                continue  # not a preference's syntax: ignored like an unknown one
            name, value = match.group(1).lower(), match.group(2) or ""
            if name in QUERY_NAMES.values():
                from_headers.setdefault(name, _unquote(value))
    raw.update(from_headers)
    return Preferences(**{name: _read(name, value) for name, value in raw.items()})  # type: ignore[arg-type]


def _split(header: str) -> list[str]:
    """Commas outside quotes separate preferences."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _bad(name: str, value: str, wanted: str) -> BadRequest:
    return BadRequest.field(HEADER, f"{name}={value!r} is not a valid preference: {name} must be {wanted}")


def _read(name: str, value: str) -> object:
    if name == "code":
        if not re.fullmatch(r"[1-5][0-9][0-9]", value):
            raise _bad(name, value, "an HTTP status code of the operation, e.g. code=404")
        return int(value)
    if name == "example":
        if not _EXAMPLE.match(value):
            raise _bad(name, value, "the name of an example of the answer (1 to 64 of A-Z a-z 0-9 . _ -)")
        return value
    if name == "dynamic":
        if value.lower() not in ("true", "false"):
            raise _bad(name, value, "true or false")
        return value.lower() == "true"
    if name == "delay":
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_DELAY_MS:  # int() reads "²" too
            raise _bad(name, value, f"milliseconds from 0 to {MAX_DELAY_MS:,}")
        return int(value)
    if name == "status":
        if value not in STATUSES:
            raise _bad(name, value, "one of " + ", ".join(STATUSES))
        return value
    if value not in FAULTS:
        raise _bad(name, value, "one of " + ", ".join(FAULTS))
    return value


@dataclass(slots=True)
class Exchange:
    """One API request as the simulation sees it: what it prefers, what was applied, and why the answer is
    the mock's own (`injected`) when it is not what the API would have said."""

    prefer: Preferences
    applied: dict[str, str] = field(default_factory=dict)
    injected: str | None = None
    path: str = ""  # the request as sent, for a stub's match (simulation/stubs.py)
    query: str = ""  # the query string, read only where a stub asks
    body: bytes = b""
    late_delay_ms: int = 0  # a stub's delay, held before its answer goes out
    raw_answer: bytes | None = None  # a stub's body that breaks the contract on purpose, sent past validation

    def apply(self, name: str, value: object) -> None:
        self.applied[name] = "true" if value is True else str(value)

    def applied_header(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.applied.items())
