"""Two ways in, one result: ``request.auth`` is a WorkspaceContext naming the only workspace the request acts in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from ratelimits.limits import Hit, client_address, counter_key, rate_for, rate_limit_hit
from workspaces.constants import Role
from workspaces.context import WorkspaceContext
from workspaces.errors import WorkspaceAccessDenied, WorkspaceNotSelected
from workspaces.models import Workspace
from workspaces.selectors import (
    api_key_credential,
    api_key_get_active,
    membership_list_for_user,
    workspace_parse_public_id,
)
from workspaces.services import api_key_touch

API_KEY_HEADER = "HTTP_X_API_KEY"
BUSINESS_ID_HEADER = "HTTP_X_BUSINESS_ID"
USER_ID_HEADER = "HTTP_X_USER_ID"
SESSION_WORKSPACE_KEY = "active_workspace"


def _check_business_id(request: Request, workspace: Workspace) -> None:
    business_id = request.META.get(BUSINESS_ID_HEADER)
    if business_id and workspace_parse_public_id(business_id) != workspace.public_id:
        raise WorkspaceAccessDenied("This credential cannot act in the requested workspace.")


class ApiKeyAuthentication(BaseAuthentication):
    """``X-API-KEY``: the key's workspace is the active one; ``X-USER-ID`` may name a member to act as."""

    def authenticate(self, request: Request) -> tuple[Any, WorkspaceContext] | None:
        raw_key = request.META.get(API_KEY_HEADER)
        if not raw_key:
            return None
        user_id = request.META.get(USER_ID_HEADER) or None
        credential = api_key_credential(raw_key=raw_key.strip(), user_id=user_id)
        if credential is None:
            api_key = api_key_get_active(raw_key=raw_key.strip())  # no member by that id, or no such key?
            if api_key is None:
                failures = Hit(counter_key("api_key_failures", client_address(request)), rate_for("api_key_failures"))
                wait = rate_limit_hit(failures)
                if wait is not None:
                    raise exceptions.Throttled(wait=wait)
                raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
            _check_business_id(request, api_key.workspace)
            raise WorkspaceAccessDenied("X-USER-ID does not name a member of this workspace.")
        api_key, membership = credential.api_key, credential.membership
        workspace = api_key.workspace
        _check_business_id(request, workspace)

        user: User | None = None
        role = Role(api_key.role)
        if membership is not None:
            if not membership.user.is_active:
                raise WorkspaceAccessDenied("X-USER-ID does not name a member of this workspace.")
            user, role = membership.user, Role(membership.role)
        api_key_touch(api_key=api_key)
        context = WorkspaceContext(
            workspace=workspace, role=role, user=user, api_key=api_key, overseen_ids=credential.overseen_ids
        )
        return (user or AnonymousUser()), context

    def authenticate_header(self, request: Request) -> str:
        # Present so DRF answers 401 (not 403) to a request without credentials.
        return 'ApiKey header="X-API-KEY"'


def workspace_context_for_session_user(
    *, user: User, requested_public_id: str | None, session_public_id: str | None
) -> WorkspaceContext:
    """Resolve the active workspace of a logged-in user: the one asked for, the one chosen, or the only one."""
    memberships = list(membership_list_for_user(user=user))
    wanted = requested_public_id or session_public_id
    if wanted:
        public_id = workspace_parse_public_id(wanted)
        for membership in memberships:
            if membership.workspace.public_id == public_id:
                return WorkspaceContext(workspace=membership.workspace, role=Role(membership.role), user=user)
        if requested_public_id:
            raise WorkspaceAccessDenied("You are not a member of the requested workspace.")
    if len(memberships) == 1:
        membership = memberships[0]
        return WorkspaceContext(workspace=membership.workspace, role=Role(membership.role), user=user)
    if not memberships:
        raise WorkspaceAccessDenied("You are not a member of any workspace.")
    raise WorkspaceNotSelected("Choose a workspace: send X-BUSINESS-ID or pick one on /workspaces/.")


class SessionWorkspaceAuthentication(SessionAuthentication):
    """Session login (admin and pages); the active workspace is chosen explicitly or is the user's only one."""

    def authenticate(self, request: Request) -> tuple[Any, WorkspaceContext] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        context = workspace_context_for_session_user(
            user=user,
            requested_public_id=request.META.get(BUSINESS_ID_HEADER),
            session_public_id=request.session.get(SESSION_WORKSPACE_KEY),
        )
        return user, context
