"""Sign-ins and failed sign-ins (the admin's login and every other Django login) go to the audit log.

Django's auth signals are its only hook for a login. A sign-in is recorded in each workspace of the user, so
those workspaces' ADMINs and OWNERs see it (a user of no workspace: one row of no workspace, the operator's).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit.constants import AuditAction
from audit.services import audit_record
from workspaces.models import Membership

USERNAME_MAX = 150


def _record_sign_in(action: AuditAction, user: User | None, username: str) -> None:
    workspace_ids: list[int | None] = []
    if user is not None:
        workspace_ids = list(Membership.objects.filter(user=user).values_list("workspace_id", flat=True))
    for workspace_id in workspace_ids or [None]:
        audit_record(
            action=action,
            workspace_id=workspace_id,
            acting_user=user if action == AuditAction.SIGN_IN else None,
            actor_label=username,
            target_type="user",
            target_id=user.pk if user is not None else "",
            details={"username": username},
        )


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    _record_sign_in(AuditAction.SIGN_IN, user, user.get_username())


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The attempted login only, never the password.
    username = str(credentials.get("username", ""))[:USERNAME_MAX]
    user = User.objects.filter(username=username).first() if username else None
    _record_sign_in(AuditAction.SIGN_IN_FAILED, user, username)
