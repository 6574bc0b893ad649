from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from config.ids import random_base62
from workspaces.constants import API_KEY_PREFIX, API_KEY_SECRET_LENGTH, API_KEY_TOUCH_INTERVAL_SECONDS, Role
from workspaces.models import ApiKey, Membership, Workspace
from workspaces.selectors import api_key_hash


@transaction.atomic
def workspace_create(*, name: str, owner: User | None, slug: str = "") -> Workspace:
    base_slug = slugify(slug or name)[:60] or "workspace"
    candidate, n = base_slug, 1
    while Workspace.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base_slug}-{n}"
    workspace = Workspace.objects.create(name=name, slug=candidate)
    if owner is not None:
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


def membership_set(*, workspace: Workspace, user: User, role: Role) -> Membership:
    membership, _ = Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
    return membership


def api_key_create(
    *, workspace: Workspace, name: str, acting_user: User | None, role: Role = Role.ADMIN
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and cannot be shown again."""
    raw_key = API_KEY_PREFIX + random_base62(API_KEY_SECRET_LENGTH)
    api_key = ApiKey.objects.create(
        workspace=workspace,
        name=name,
        prefix=raw_key[:10],
        hashed_key=api_key_hash(raw_key),
        role=role,
        created_by=acting_user,
    )
    return api_key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key, with a single UPDATE."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < timedelta(seconds=API_KEY_TOUCH_INTERVAL_SECONDS):
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
