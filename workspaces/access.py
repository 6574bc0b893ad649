"""Who may do what in a workspace: the one home of the role rules (in the spirit of Zulip's ``access_*_by_id``).

An API request acts in one workspace with one role (``request.auth``, a ``WorkspaceContext``). A user in the
admin acts in every workspace it belongs to, in each with that membership's role (``user_contexts``). Rights
follow the role, never Django's per-model permissions: VIEWER reads; MEMBER also reviews (notes, status,
decisions, links); ADMIN and OWNER also manage (roll back, visibility, members, API keys, forms). A superuser
is the platform operator: it is no workspace role and may do everything, including what no role may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser, User

from workspaces.constants import ROLE_RANK, Role
from workspaces.context import WorkspaceContext
from workspaces.errors import InsufficientRole
from workspaces.models import Membership

# What each kind of work needs; ``None`` is the platform operator's (superusers) alone.
READ = Role.VIEWER
REVIEW = Role.MEMBER
MANAGE = Role.ADMIN
OPERATOR = None

Right = Literal["view", "add", "change", "delete"]


@dataclass(frozen=True)
class Rights:
    """The role a surface needs for each kind of access to one kind of object (``None``: superusers only)."""

    view: Role | None = OPERATOR
    add: Role | None = OPERATOR
    change: Role | None = OPERATOR
    delete: Role | None = OPERATOR

    def minimum(self, right: Right) -> Role | None:
        minimum: Role | None = getattr(self, right)
        return minimum


def role_allows(role: Role | str | None, minimum: Role | None) -> bool:
    """Does ``role`` hold ``minimum`` (a role, or ``OPERATOR``: no role does)? The one comparison of roles."""
    return role is not None and minimum is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[minimum]


def require_role(context: WorkspaceContext, minimum: Role) -> None:
    """Raise ``InsufficientRole`` (403) unless the context's role is ``minimum`` or higher."""
    if not role_allows(context.role, minimum):
        raise InsufficientRole(f"This action needs the {minimum.label} role or higher.")


# --- Users acting in all their workspaces (the admin) ---------------------------------------------


def user_contexts(user: User | AnonymousUser) -> dict[int, WorkspaceContext]:
    """The user's context in each of its workspaces, by workspace id; read once per user object (one request)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached: dict[int, WorkspaceContext] | None = getattr(user, "_workspace_contexts", None)
    if cached is None:
        memberships = Membership.objects.filter(user=user).select_related("workspace")
        cached = {
            membership.workspace_id: WorkspaceContext(
                workspace=membership.workspace,
                role=Role(membership.role),
                user=user,
            )
            for membership in memberships
        }
        user._workspace_contexts = cached  # type: ignore[attr-defined]
    return cached


def user_role_in(user: User | AnonymousUser, workspace_id: int | None) -> Role | None:
    context = user_contexts(user).get(workspace_id) if workspace_id is not None else None
    return context.role if context is not None else None


def user_workspace_ids(user: User | AnonymousUser, minimum: Role | None) -> list[int]:
    """The workspaces in which the user holds ``minimum`` or a higher role (none for ``None``)."""
    return [pk for pk, context in user_contexts(user).items() if role_allows(context.role, minimum)]


def user_may(user: User | AnonymousUser, rights: Rights, right: Right, *, workspace_id: Any = None) -> bool:
    """May the user do ``right`` in the workspace (``workspace_id``), or in at least one of its workspaces?

    Only active staff use the admin; superusers may do everything.
    """
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    minimum = rights.minimum(right)
    if workspace_id is None:
        return bool(user_workspace_ids(user, minimum))
    return role_allows(user_role_in(user, workspace_id), minimum)
