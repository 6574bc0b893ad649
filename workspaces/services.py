from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.constants import AuditAction
from audit.services import audit_record
from config.ids import random_base62, token_hash
from workspaces.constants import (
    API_KEY_PREFIX,
    API_KEY_SECRET_LENGTH,
    API_KEY_TOUCH_INTERVAL_SECONDS,
    ROLE_RANK,
    Role,
)
from workspaces.errors import InsufficientRole, MembershipRefused, OversightRefused
from workspaces.models import ApiKey, Membership, OversightRelationship, Workspace


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


def _check_owner_rule(
    *, workspace: Workspace, membership: Membership | None, role: Role | None, acting_role: Role | None
) -> None:
    """Only an OWNER (or the platform, ``acting_role`` None) grants, changes or removes the OWNER role; a
    workspace keeps at least one OWNER."""
    touches_owner = role == Role.OWNER or (membership is not None and membership.role == Role.OWNER)
    if touches_owner and acting_role is not None and acting_role != Role.OWNER:
        raise InsufficientRole("Only an owner grants, changes or removes the owner role.")
    last_owner = (
        membership is not None
        and membership.role == Role.OWNER
        and not Membership.objects.filter(workspace=workspace, role=Role.OWNER).exclude(pk=membership.pk).exists()
    )
    if last_owner and role != Role.OWNER:
        raise MembershipRefused("A workspace keeps at least one owner.")


def _audit_member(action: AuditAction, membership: Membership, acting_user: User | None, **details: object) -> None:
    audit_record(
        action=action,
        workspace_id=membership.workspace_id,
        acting_user=acting_user,
        target_type="user",
        target_id=membership.user_id,
        details={"username": membership.user.get_username(), **details},
    )


@transaction.atomic
def membership_set(
    *,
    workspace: Workspace,
    user: User,
    role: Role,
    acting_user: User | None,
    acting_role: Role | None = None,
) -> Membership:
    """Give ``user`` ``role`` in the workspace. ``acting_role`` is the role of who asks (None: the platform)."""
    current = Membership.objects.select_for_update().filter(workspace=workspace, user=user).first()
    _check_owner_rule(workspace=workspace, membership=current, role=role, acting_role=acting_role)
    membership, _ = Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
    if current is None:
        _audit_member(AuditAction.MEMBER_ADDED, membership, acting_user, role=role)
    elif current.role != role:
        _audit_member(AuditAction.MEMBER_ROLE_CHANGED, membership, acting_user, role=role, previousRole=current.role)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, acting_user: User | None, acting_role: Role | None = None) -> None:
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    _check_owner_rule(workspace=membership.workspace, membership=membership, role=None, acting_role=acting_role)
    _audit_member(AuditAction.MEMBER_REMOVED, membership, acting_user, role=membership.role)
    membership.delete()


@transaction.atomic
def workspace_update(*, workspace: Workspace, name: str, acting_user: User | None) -> Workspace:
    previous = Workspace.objects.values_list("name", flat=True).get(pk=workspace.pk)
    workspace.name = name.strip() or previous
    if workspace.name != previous:
        workspace.save(update_fields=["name"])
        audit_record(
            action=AuditAction.WORKSPACE_RENAMED,
            workspace_id=workspace.pk,
            acting_user=acting_user,
            target_type="workspace",
            target_id=workspace.public_id,
            details={"name": workspace.name, "previousName": previous},
        )
    return workspace


def api_key_check(*, role: Role, acting_role: Role | None) -> None:
    """A key never has a higher role than who creates it (``acting_role``; None: the platform).

    Also asked by the admin's form, so the refusal is shown beside the field.
    """
    if acting_role is not None and ROLE_RANK[role] > ROLE_RANK[acting_role]:
        raise InsufficientRole(
            f"A key cannot have a higher role than yours: as {acting_role.label} you can give it "
            f"{acting_role.label} or a lower role, not {role.label}."
        )


@transaction.atomic
def api_key_create(
    *,
    workspace: Workspace,
    name: str,
    acting_user: User | None,
    role: Role = Role.ADMIN,
    acting_role: Role | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and cannot be shown again."""
    api_key_check(role=role, acting_role=acting_role)
    raw_key = API_KEY_PREFIX + random_base62(API_KEY_SECRET_LENGTH)
    api_key = ApiKey.objects.create(
        workspace=workspace,
        name=name,
        prefix=raw_key[:10],
        hashed_key=token_hash(raw_key),
        role=role,
        created_by=acting_user,
    )
    _audit_api_key(AuditAction.API_KEY_CREATED, api_key, acting_user, role=role, prefix=api_key.prefix)
    return api_key, raw_key


def _audit_api_key(action: AuditAction, api_key: ApiKey, acting_user: User | None, **details: object) -> None:
    audit_record(
        action=action,
        workspace_id=api_key.workspace_id,
        acting_user=acting_user,
        target_type="api_key",
        target_id=api_key.pk,
        details={"name": api_key.name, **details},
    )


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, acting_user: User | None) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        _audit_api_key(AuditAction.API_KEY_REVOKED, api_key, acting_user)
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key, with a single UPDATE."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < timedelta(seconds=API_KEY_TOUCH_INTERVAL_SECONDS):
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


def oversight_check(*, overseer: Workspace, overseen: Workspace) -> None:
    """The rules of a new oversight, in words (also asked by the admin's form before it saves)."""
    if overseer.pk == overseen.pk:
        raise OversightRefused(f"{overseer.name} cannot oversee itself: choose another workspace.")
    if OversightRelationship.objects.filter(overseer=overseer, overseen=overseen).exists():
        raise OversightRefused(f"{overseer.name} already oversees {overseen.name}.")


def _audit_oversight(action: AuditAction, oversight: OversightRelationship, acting_user: User | None) -> None:
    """Recorded in the overseen workspace, whose submissions the overseer is given (or no longer given) sight of."""
    audit_record(
        action=action,
        workspace_id=oversight.overseen_id,
        acting_user=acting_user,
        target_type="oversight",
        target_id=oversight.pk,
        details={
            "overseer": oversight.overseer.name,
            "overseerId": str(oversight.overseer.public_id),
            "overseen": oversight.overseen.name,
            "active": oversight.active,
        },
    )


def oversight_create(
    *, overseer: Workspace, overseen: Workspace, active: bool = True, acting_user: User | None
) -> OversightRelationship:
    """Let ``overseer`` be granted sight of ``overseen``'s submissions (the platform operator's decision)."""
    with transaction.atomic():
        oversight_check(overseer=overseer, overseen=overseen)
        oversight = OversightRelationship.objects.create(overseer=overseer, overseen=overseen, active=active)
        _audit_oversight(AuditAction.OVERSIGHT_CREATED, oversight, acting_user)
        return oversight


@transaction.atomic
def oversight_set_active(
    *, oversight: OversightRelationship, active: bool, acting_user: User | None
) -> OversightRelationship:
    """Pause or resume an oversight; a change is recorded, setting the state it already has is not."""
    oversight = (
        OversightRelationship.objects.select_for_update().select_related("overseer", "overseen").get(pk=oversight.pk)
    )
    if oversight.active != active:
        oversight.active = active
        oversight.save(update_fields=["active"])
        action = AuditAction.OVERSIGHT_ACTIVATED if active else AuditAction.OVERSIGHT_DEACTIVATED
        _audit_oversight(action, oversight, acting_user)
    return oversight
