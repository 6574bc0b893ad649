from __future__ import annotations

import uuid

from django.contrib.auth.models import User
from django.db.models import QuerySet

from config.ids import token_hash
from config.inputs import database_id
from workspaces.models import ApiKey, Membership, OversightRelationship, Workspace


def api_key_get_active(*, raw_key: str) -> ApiKey | None:
    return (
        ApiKey.objects.select_related("workspace")
        .filter(hashed_key=token_hash(raw_key), revoked_at__isnull=True)
        .first()
    )


def membership_get(*, workspace_id: int, user_id: int | str) -> Membership | None:
    """The membership of the user ``user_id`` (an int or its decimal string, as a client sends it), with its user;
    None when that user is not a member or ``user_id`` is no user id at all."""
    member_id = database_id(user_id)
    if member_id is None:
        return None
    return Membership.objects.select_related("user").filter(workspace_id=workspace_id, user_id=member_id).first()


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.select_related("workspace").filter(user=user).order_by("workspace__name")


def workspace_parse_public_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def oversight_is_active(*, overseer: Workspace, overseen: Workspace) -> bool:
    return OversightRelationship.objects.filter(overseer=overseer, overseen=overseen, active=True).exists()


def overseen_workspace_ids(*, overseer: Workspace) -> QuerySet[OversightRelationship, int]:
    return OversightRelationship.objects.filter(overseer=overseer, active=True).values_list("overseen_id", flat=True)


def overseer_workspace_ids(*, overseen_id: int) -> QuerySet[OversightRelationship, int]:
    """The workspaces that actively oversee ``overseen_id``: who an oversight grant may name."""
    return OversightRelationship.objects.filter(overseen_id=overseen_id, active=True).values_list(
        "overseer_id", flat=True
    )
