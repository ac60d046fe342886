"""The one place where every error leaves the server, in SendKit's shape, as application/json."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ApiError, Detail, StoreUnavailable
from ..runtime.incidents import Incident, Incidents
from .incoming import KEY
from .session_names import session_name

log = logging.getLogger("sendkit_mock")

Handler = Callable[[ConnexionRequest, Exception], ConnexionResponse]


def render(error: ApiError, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=error.status,
        body=json.dumps(error.body(), separators=(",", ":")),
        content_type="application/json",
        headers=headers or {},
    )


class ErrorHandlers:
    """connexion's error handlers; a failure of the mock's own is also kept in `incidents`, by session."""

    def __init__(self, incidents: Incidents) -> None:
        self.incidents = incidents

    def on_api_error(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, ApiError)
        if isinstance(exc, StoreUnavailable):
            log.warning("%s %s: %s (%s)", request.method, request.url.path, exc.message, exc.__cause__)
            return render(exc, exc.headers())
        if exc.status >= 500:
            log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
            self._keep(request, exc.message, _traceback(exc))
        return render(exc)

    def on_problem(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        """Connexion's own problems: security, content type, and a response that broke the contract."""
        assert isinstance(exc, ProblemException)
        status = exc.status_code
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc.detail)
            self._keep(request, f"the mock's answer broke openapi.yaml: {exc.detail}", _traceback(exc))
            return render(ApiError(status=500))
        details = [Detail("body", str(exc.detail))] if status == 400 and exc.detail else []
        return render(ApiError(status=status, details=details))

    def on_unexpected(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        log.error("%s %s raised", request.method, request.url.path, exc_info=exc)
        self._keep(request, f"{type(exc).__name__}: {exc}", _traceback(exc))
        return render(ApiError(status=500))

    def _keep(self, request: ConnexionRequest, message: str, trace: str) -> None:
        self.incidents.record(Incident(_session(request.scope), f"{request.method} {request.url.path}", message,
                                       trace))


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def on_http_exception(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Unknown routes (404) and wrong methods (405, with the Allow header the documents give the path)."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    route = request.scope[KEY].route if KEY in request.scope else None
    if exc.status_code == 405 and route is not None:
        headers = {k: v for k, v in headers.items() if k.lower() != "allow"} | {"Allow": route.allow}
    return render(ApiError(status=exc.status_code), headers=headers)


async def send_error(send: Send, error: ApiError) -> None:
    """`error` as a whole ASGI answer, for the layers outside connexion's handlers."""
    body = json.dumps(error.body(), separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *((k.lower().encode(), v.encode()) for k, v in error.headers().items())]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _session(scope: Any) -> str:
    """The session a failed request named, for its incident: `default` when it named none or a bad one."""
    try:
        return session_name(scope) or "default"
    except ApiError:
        return "default"


class LastResort:
    """Outermost: what a layer outside connexion's handlers (the journal, the simulation, the body's intake)
    raises is answered in SendKit's shape. The shared store down is a 503 with Retry-After, as it is inside
    the handlers; anything else a 500, logged and kept as an incident. Without it, connexion's
    ServerErrorMiddleware handed it to a handler whose answer starlette 1.x never awaited, and the client got
    uvicorn's plain-text "Internal Server Error"."""

    def __init__(self, app: ASGIApp, incidents: Incidents) -> None:
        self.app, self.incidents = app, incidents

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except StoreUnavailable as exc:
            log.warning("%s %s: %s (%s)", scope["method"], scope["path"], exc.message, exc.__cause__)
            if not started:
                await send_error(send, exc)
        except Exception as exc:
            where = f"{scope['method']} {scope['path']}"
            log.error("%s raised", where, exc_info=exc)
            self.incidents.record(Incident(_session(scope), where, f"{type(exc).__name__}: {exc}", _traceback(exc)))
            if not started:  # else the answer is out, or cut short (the server closes the connection)
                await send_error(send, ApiError(status=500))
