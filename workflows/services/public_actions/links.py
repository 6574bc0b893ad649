"""Public action links: create one (its raw token is shown once), check a new one's rules, revoke one."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from config.errors import ValidationFailed
from config.ids import token_hash
from submissions.constants import FormStatus
from workflows.constants import CLOSED_WORKFLOW_STATUSES, PublicActionStatus, WorkflowStatus
from workflows.errors import PublicActionStateError
from workflows.models import PublicAction, Workflow

MAX_TTL_DAYS = 90


def public_action_create(
    *,
    workflow: Workflow,
    form_version: Any,
    acting_user: User | None,
    individual_form_version: Any = None,
    company_form_version: Any = None,
    expires_in_days: int | None = None,
) -> tuple[PublicAction, str]:
    """Create a public action and return it with its raw token (shown once; only its hash is stored).

    Every form version must be one of the workflow's workspace. The workflow waits for the client from now on.
    """
    workspace = workflow.workspace
    days = settings.PUBLIC_ACTION_TTL_DAYS if expires_in_days is None else expires_in_days
    public_action_check(
        workflow=workflow,
        form_versions=[form_version, individual_form_version, company_form_version],
        expires_in_days=days,
    )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        action = PublicAction.objects.create(
            workspace=workspace,
            workflow=workflow,
            form_version=form_version,
            individual_form_version=individual_form_version,
            company_form_version=company_form_version,
            token_hash=token_hash(token),
            token_hint=token[:6],
            expires_at=timezone.now() + timedelta(days=days),
            created_by=acting_user,
        )
        if workflow.status == WorkflowStatus.OPEN:
            workflow.status = WorkflowStatus.WAITING_FOR_CLIENT
            workflow.save(update_fields=["status", "updated_at"])
    return action, token


def public_action_check(*, workflow: Workflow, form_versions: Iterable[Any], expires_in_days: int) -> None:
    """The rules of a new link (also run by the admin's form before it saves): one workspace, an open workflow."""
    for version in form_versions:
        if version is None:
            continue
        if _form_version_workspace_id(version) != workflow.workspace_id:
            raise ValidationFailed("The form version belongs to another workspace.")
        if version.form.status == FormStatus.ARCHIVED:
            raise ValidationFailed(f"The form '{version.form.title}' is archived and takes no new submissions.")
    if workflow.status in CLOSED_WORKFLOW_STATUSES:
        raise PublicActionStateError(f"The workflow is {workflow.status}; it takes no more client input.")
    if not 1 <= expires_in_days <= MAX_TTL_DAYS:
        raise ValidationFailed(f"expires_in_days must be between 1 and {MAX_TTL_DAYS}.")


def public_action_revoke(*, action: PublicAction, acting_user: User | None) -> PublicAction:
    """Withdraw a link now; a completed, expired or already revoked one stays as it is.

    The expiry moves to now as well, so the API's ``expires_at`` (the contract has no revoked field) says it ended.
    """
    if action.status != PublicActionStatus.COMPLETED and action.revoked_at is None and not action.expired:
        action.revoked_at = action.expires_at = timezone.now()
        action._history_user = acting_user  # type: ignore[attr-defined]
        action.save(update_fields=["revoked_at", "expires_at", "updated_at"])
    return action


def _form_version_workspace_id(form_version: Any) -> int | None:
    workspace_id = getattr(form_version, "workspace_id", None)
    if workspace_id is None and getattr(form_version, "form", None) is not None:
        workspace_id = form_version.form.workspace_id
    return workspace_id
