"""What counts as a credential in what a client sent, and how one is shown once kept: the journal, the state
documents that export it and the access log never hold one whole."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

# Headers that carry a credential, and query parameter names that look like one (a client that puts its key in
# the address, a login link)
HEADERS = frozenset({"x-api-key", "authorization", "x-mock-admin-token", "cookie", "proxy-authorization"})
_NAMES = re.compile(r"token|secret|passw|api[_-]?key|credential", re.IGNORECASE)
SHOWN_FROM = 16  # a value this long keeps its last four characters, to tell two keys apart; a shorter one none


def is_secret(name: str) -> bool:
    return name.lower() in HEADERS or _NAMES.search(name) is not None


def mask(name: str, value: str) -> str:
    """A value as kept: a credential's last four characters (none when it is short), anything else as sent."""
    if not is_secret(name) or (value.startswith("…") and len(value) <= 5):  # kept already (a state import)
        return value
    return "…" + value[-4:] if len(value) >= SHOWN_FROM else "…"


def masked_query(query: str) -> str:
    """A query string as logged: the value of every credential-like parameter replaced, however its name is
    spelled (`%61dmin_token` is admin_token)."""
    if not _NAMES.search(unquote_plus(query)):
        return query
    parts = []
    for part in query.split("&"):
        name, eq, value = part.partition("=")
        parts.append(f"{name}={mask(unquote_plus(name), unquote_plus(value))}" if eq and is_secret(
            unquote_plus(name)) else part)
    return "&".join(parts)


