"""A failed check's requests as curl commands a person can paste: the request that was sent, with the key
read from `$SENDKIT_API_KEY` (never the key itself, never `[Filtered]`), and only the headers the contract or
the user asked for (no User-Agent, no Schemathesis test id)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

KEY_VARIABLE = "SENDKIT_API_KEY"


@dataclass(frozen=True, slots=True)
class Sent:
    """One request as it went out."""

    method: str
    url: str
    headers: Mapping[str, Sequence[str]]
    body: bytes | None


@dataclass(frozen=True, slots=True)
class Wanted:
    """What a reproduction may show: the key to hide, and the headers anyone asked for."""

    api_key: str
    headers: frozenset[str]  # lower-case names: the contract's parameters the case set, the user's -H

    @classmethod
    def of(cls, api_key: str, *names: Iterable[str]) -> Wanted:
        return cls(api_key, frozenset(n.lower() for group in names for n in group))


def curl(sent: Sent, wanted: Wanted) -> str:
    parts = ["curl", "-X", sent.method]
    for name, values in sent.headers.items():
        for value in values:
            header = _header(name, value, sent, wanted)
            if header is not None:
                parts += ["-H", header]
    if sent.body:
        parts += ["--data-binary", shlex.quote(sent.body.decode("utf-8", errors="replace"))]
    parts.append(shlex.quote(sent.url))
    return " ".join(parts)


def _header(name: str, value: str, sent: Sent, wanted: Wanted) -> str | None:
    lower = name.lower()
    keyed = bool(wanted.api_key) and wanted.api_key in value
    if not keyed and lower not in wanted.headers and not (lower == "content-type" and sent.body):
        return None
    if lower in ("x-api-key", "authorization") or keyed:  # the key goes in from the environment, never as is
        if not keyed:
            return shlex.quote(f"{name}: {value}") if lower in wanted.headers else None
        parts = [_in_double_quotes(part) for part in f"{name}: {value}".split(wanted.api_key)]
        return '"' + f"${KEY_VARIABLE}".join(parts) + '"'
    return shlex.quote(f"{name}: {value}")


def _in_double_quotes(text: str) -> str:
    """Text the shell leaves as it is inside double quotes."""
    return "".join("\\" + c if c in '\\"$`' else c for c in text)
