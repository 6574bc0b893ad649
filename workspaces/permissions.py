from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from workspaces.access import role_allows
from workspaces.constants import Role
from workspaces.context import WorkspaceContext


def workspace_context(request: Request) -> WorkspaceContext:
    """The request's WorkspaceContext; views behind IsWorkspaceMember always have one."""
    assert isinstance(request.auth, WorkspaceContext)
    return request.auth


class IsWorkspaceMember(BasePermission):
    """The request authenticated into exactly one workspace (API key or session with an active workspace)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, WorkspaceContext)


def role_at_least(minimum: Role) -> type[BasePermission]:
    """A permission class that also needs ``minimum`` role or higher, by the access module's one rule."""

    class HasRole(IsWorkspaceMember):
        message = f"This action needs the {minimum.label} role or higher."

        def has_permission(self, request: Request, view: Any) -> bool:
            return super().has_permission(request, view) and role_allows(workspace_context(request).role, minimum)

    HasRole.__name__ = f"HasRole{minimum.label}"
    return HasRole
