"""Who sees a restricted submission: its visibility mode and grants (users, workspace roles, overseers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from config.errors import ValidationFailed
from submissions.constants import EventType, GrantTargetType, VisibilityMode
from submissions.errors import InvalidGrant
from submissions.models import Submission, VisibilityGrant
from submissions.services.submissions import _event, _lock
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.selectors import membership_get, oversight_is_active, workspace_parse_public_id


@dataclass(frozen=True)
class GrantRequest:
    """Who a restricted submission is shown to: a user (by id), a workspace role, or an overseer workspace."""

    target_type: GrantTargetType
    target_id: str
    access_level: str = "viewer"


def _grant_for(submission: Submission, request: GrantRequest, index: int) -> VisibilityGrant:
    where = f"grants[{index}]"

    def refuse(message: str) -> InvalidGrant:
        return InvalidGrant(f"{where}: {message}", details={"fields": {where: [message]}})

    target_type, target_id, access_level = request.target_type, request.target_id, request.access_level
    if access_level != "viewer":
        raise refuse("accessLevel must be 'viewer'.")
    if not target_id:
        raise refuse("targetId is required.")
    grant = VisibilityGrant(submission=submission, target_type=target_type, access_level=access_level)
    if target_type == GrantTargetType.USER:
        membership = membership_get(workspace_id=submission.workspace_id, user_id=target_id)
        if membership is None:
            raise refuse(f"User {target_id} is not a member of this workspace.")
        grant.target_user = membership.user
    elif target_type == GrantTargetType.WORKSPACE_ROLE:
        if target_id not in Role.values:
            raise refuse(f"targetId must be one of {Role.values}.")
        grant.target_role = target_id
    elif target_type == GrantTargetType.OVERSIGHT_WORKSPACE:
        public_id = workspace_parse_public_id(target_id)
        overseer = Workspace.objects.filter(public_id=public_id).first() if public_id else None
        if overseer is None or not oversight_is_active(overseer=overseer, overseen=submission.workspace):
            raise refuse(f"Workspace {target_id} has no active oversight relationship with this workspace.")
        grant.target_workspace = overseer
    else:
        raise refuse(f"targetType must be one of {GrantTargetType.values}.")
    return grant


def _grant_key(grant: VisibilityGrant) -> tuple[str, Any]:
    return grant.target_type, grant.target_user_id or grant.target_role or grant.target_workspace_id


@transaction.atomic
def visibility_set(
    *, submission: Submission, mode: VisibilityMode, grants: Sequence[GrantRequest], acting_user: User | None
) -> Submission:
    """Replace the mode and grants. ``workspace`` mode drops every grant; oversight needs an active relationship."""
    submission = _lock(submission)
    if mode not in VisibilityMode.values:
        raise ValidationFailed(
            f"mode must be one of {VisibilityMode.values}.", details={"fields": {"mode": [str(mode)]}}
        )
    new_grants: dict[tuple[str, Any], VisibilityGrant] = {}
    if mode == VisibilityMode.RESTRICTED:
        for index, request in enumerate(grants):
            grant = _grant_for(submission, request, index)
            new_grants.setdefault(_grant_key(grant), grant)
    existing = {_grant_key(grant): grant for grant in submission.grants.all()}
    for key, grant in existing.items():
        if key not in new_grants:
            grant.delete()
    for key, grant in new_grants.items():
        if key not in existing:
            grant.save()
    changed = submission.visibility_mode != mode or set(existing) != set(new_grants)
    if submission.visibility_mode != mode:
        submission.visibility_mode = mode
        submission.save_without_historical_record(  # type: ignore[attr-defined]
            update_fields=["visibility_mode", "updated_at"]
        )
    if changed:
        _event(
            submission,
            type=EventType.VISIBILITY_CHANGED,
            description=f"Visibility set to {mode} with {len(new_grants)} grant(s)",
            actor=acting_user,
            mode=mode,
            grants=len(new_grants),
        )
    return submission
