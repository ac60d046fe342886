"""The error tree and SendKit's error body.

    ApiError                 {error, message, code, details?}
    ├── BadRequest           400, with one detail per problem
    ├── Unauthorized         401
    ├── Forbidden            403
    ├── NotFound             404
    ├── Conflict             409
    ├── StoreUnavailable     503, with Retry-After: the shared store (Redis) cannot be reached
    └── (any status)         built from the status alone, e.g. ApiError(status=415)

Domain code raises these; the web layer turns framework errors into them and renders every one
through `ApiError.body()`, so a client sees one shape whatever went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

REASONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",  # the connection level (runtime/limits.py)
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",  # the validating proxy: the upstream failed or broke the contract
    503: "Service Unavailable",
}

MESSAGES: dict[int, str] = {
    400: "The request contains invalid parameters or malformed data",
    401: "Invalid or missing API key",
    403: "You don't have permission to access this resource",
    404: "The requested resource was not found",
    405: "The method is not allowed for the requested URL",
    409: "The request conflicts with the current state of the resource",
    413: "The request body is too large",
    415: "The request body must be sent as application/json",
    429: "Rate limit exceeded: wait for Retry-After seconds and try again",
    500: "An unexpected error occurred",
    503: "The service is temporarily unavailable: try again after Retry-After seconds",
}


@dataclass(frozen=True, slots=True)
class Detail:
    field: str
    message: str


class ApiError(Exception):
    status = 500

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        details: Iterable[Detail] = (),
    ) -> None:
        if status is not None:
            self.status = status
        self.message = message or MESSAGES.get(self.status, REASONS.get(self.status, "Error"))
        self.details = tuple(details)
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        """Headers the answer carries besides the body's type."""
        return {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": REASONS.get(self.status, "Error"),
            "message": self.message,
            "code": self.status,
        }
        if self.details:
            body["details"] = [{"field": d.field, "message": d.message} for d in self.details]
        return body


class BadRequest(ApiError):
    status = 400

    @classmethod
    def field(cls, field: str, message: str) -> BadRequest:
        return cls(details=[Detail(field, message)])


class Unauthorized(ApiError):
    status = 401


def unknown_campaigns(found: list[tuple[int, str]]) -> list[Detail]:
    return [Detail(f"campaignIds[{i}]", f"Campaign {cid} was not found in this workspace") for i, cid in found]


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404

    @classmethod
    def unknown_cursor(cls) -> NotFound:
        """A cursor is an item's id; like every unknown id in a request, one that names nothing is a 404 [I]."""
        return cls(details=[Detail("cursor", "Unknown cursor: pass the nextCursor of a previous page of this list")])


class Conflict(ApiError):
    status = 409


class StoreUnavailable(ApiError):
    """The shared store is down, restarting or too slow: the client may retry; nothing was half-written."""

    status = 503
    retry_after = 1

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class MissingExtra(ImportError):
    """A feature whose optional dependencies are not installed; the message says which extra adds them."""


EXTRAS = {"contract": "sendkit-mock contract", "redis": "serve --store redis://...",
          "tls": "HTTPS (--tls, --tls-port, sendkit-mock ca)", "dynamic": "A generated body (dynamic=true)"}


def need(extra: str, *modules: str) -> None:
    """Raise MissingExtra unless every module can be imported (the base install leaves the extras out)."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtra(f"{EXTRAS[extra]} needs {', '.join(missing)}: pip install 'sendkit-mock[{extra}]' "
                           "(from where sendkit-mock came: a clone, a git URL or a wheel; README, Install)")
