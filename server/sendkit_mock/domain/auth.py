"""Who is calling, and which workspace a call acts on.

Two kinds of key [C]: a workspace key (`sk_` + 48 hex) is bound to one workspace; a platform key
(`sk_user_…`) belongs to a user and names the workspace with `X-Workspace-Id` on workspace-scoped calls.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..errors import BadRequest, Forbidden
from .world import User, Workspace, World


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    workspace: Workspace | None  # set for a workspace key, None for a platform key


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a report lives: one workspace, or (organizational reports) one user's whole account."""

    kind: str  # "workspace" | "user"
    id: str

    @staticmethod
    @functools.cache
    def of(kind: str, ident: str) -> Scope:
        """The shared Scope value: a world has few scopes and the store holds one per record."""
        return Scope(kind, ident)


class Authenticator:
    def __init__(self, world: World) -> None:
        self._world = world
        self._keys: dict[str, Principal] = {}
        for user in world.users:
            self._keys[user.api_key] = Principal(user=user, workspace=None)
        for ws in world.workspaces:
            owner = world.user(ws.owner_id)
            assert owner is not None  # the fixture loader checked the reference
            self._keys[ws.api_key] = Principal(user=owner, workspace=ws)

    def authenticate(self, key: str | None) -> Principal | None:
        return self._keys.get(key.strip()) if key else None

    def workspace(self, principal: Principal, header: str | None) -> Workspace:
        """The workspace a workspace-scoped call acts on; 400 or 403 when the key cannot say."""
        if principal.workspace is not None:
            if header and header != principal.workspace.id:
                raise Forbidden("This API key is scoped to another workspace")
            return principal.workspace
        if not header:
            raise BadRequest.field(
                "X-Workspace-Id", "Required with a platform API key (sk_user_...) on workspace endpoints"
            )
        return self.owned_workspace(principal, header)

    def owned_workspace(self, principal: Principal, workspace_id: str) -> Workspace:
        ws = self._world.workspace(workspace_id)
        if ws is None or ws.owner_id != principal.user.id:
            raise Forbidden("You don't have permission to access this workspace")
        return ws

    def read_scope(self, principal: Principal, header: str | None) -> Scope:
        """The one scope a read addresses: the key's workspace, the named workspace, or the user's account.

        A platform key without X-Workspace-Id reads the user's organizational reports [I].
        """
        if principal.workspace is None and not header:
            return Scope.of("user", principal.user.id)
        return Scope.of("workspace", self.workspace(principal, header).id)

    def organizational_scope(self, principal: Principal, header: str | None) -> Scope:
        if principal.workspace is not None:
            raise Forbidden("Organizational reports need a platform API key (sk_user_...)")
        if header:
            self.owned_workspace(principal, header)
        return Scope.of("user", principal.user.id)
