"""X-Api-Key or Authorization: Bearer [C], checked against the fixtures' keys before validation."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import ApiKeySecurityHandler, BearerSecurityHandler

from ..domain.auth import Authenticator

WORKSPACE_HEADER = "X-Workspace-Id"


def key_checker(auth: Authenticator) -> Callable[..., dict[str, Any] | None]:
    """The info function connexion calls with the presented key: token info, or None for a 401."""

    def check(key: str, request: ConnexionRequest | None = None, **_: Any) -> dict[str, Any] | None:
        principal = auth.authenticate(key)
        if principal is None:
            return None
        header = request.headers.get(WORKSPACE_HEADER) if request is not None else None
        return {"sub": principal.user.id, "principal": principal, "workspace_header": header or None}

    check.__signature__ = inspect.signature(check)  # type: ignore[attr-defined]  # connexion asks per request
    return check


def security_map(auth: Authenticator) -> dict[str, type]:
    check = key_checker(auth)

    @functools.cache  # one function, two keywords: asked once each, not on every request
    def _accepts(func: Callable[..., Any], keyword: str) -> bool:
        return ApiKeySecurityHandler._accepts_kwarg(func, keyword)

    class ApiKey(ApiKeySecurityHandler):
        _accepts_kwarg = staticmethod(_accepts)  # connexion inspects the function twice per request otherwise

        def _resolve_func(self, security_scheme: dict[str, Any]) -> Callable[..., Any]:
            return check

    class Bearer(BearerSecurityHandler):
        _accepts_kwarg = staticmethod(_accepts)

        def _resolve_func(self, security_scheme: dict[str, Any]) -> Callable[..., Any]:
            return check

    return {"apiKey": ApiKey, "bearer": Bearer}
