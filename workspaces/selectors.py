from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth.models import User
from django.db.models import QuerySet

from workspaces.models import ApiKey, Membership, OversightRelationship, Workspace


def api_key_hash(raw_key: str) -> str:
    # The key carries 238 bits of randomness, so a fast hash is enough; the unique index finds it.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_get_active(*, raw_key: str) -> ApiKey | None:
    return (
        ApiKey.objects.select_related("workspace")
        .filter(hashed_key=api_key_hash(raw_key), revoked_at__isnull=True)
        .first()
    )


def membership_get(*, workspace: Workspace, user_id: int | str) -> Membership | None:
    return Membership.objects.select_related("user").filter(workspace=workspace, user_id=user_id).first()


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
