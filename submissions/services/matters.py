"""Matters: numbered cases that group submissions of one workspace.

Like every write, each takes ``acting_user`` (who acts; None: an API key on its own or the platform).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from audit.constants import AuditAction
from audit.services import audit_record
from config.errors import ValidationFailed
from submissions.formschema import sanitize_text
from submissions.models import Matter, MatterSubmission, Submission
from workspaces.models import Workspace


@transaction.atomic
def matter_create(*, workspace: Workspace, title: str, acting_user: User | None, number_prefix: str = "MAT") -> Matter:
    """The next number of ``number_prefix`` in the workspace (rows of the prefix are locked while counting)."""
    prefix = (sanitize_text(number_prefix) or "MAT")[:10]
    latest = (
        Matter.objects.select_for_update()
        .filter(workspace=workspace, number_prefix=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    matter = Matter.objects.create(
        workspace=workspace, number_prefix=prefix, number=(latest or 0) + 1, title=sanitize_text(title)
    )
    _audit_matter(AuditAction.MATTER_CREATED, matter, acting_user)
    return matter


@transaction.atomic
def matter_update(*, matter: Matter, title: str, acting_user: User | None) -> Matter:
    matter.title = sanitize_text(title) or matter.title
    matter.save(update_fields=["title"])
    _audit_matter(AuditAction.MATTER_UPDATED, matter, acting_user)
    return matter


@transaction.atomic
def matter_link_submission(*, matter: Matter, submission: Submission, acting_user: User | None) -> MatterSubmission:
    if matter.workspace_id != submission.workspace_id:
        raise ValidationFailed(
            "A matter links submissions of its own workspace only.",
            details={"fields": {"submission": [submission.public_id]}},
        )
    link, created = MatterSubmission.objects.get_or_create(matter=matter, submission=submission)
    if created:
        _audit_matter(AuditAction.MATTER_LINKED, matter, acting_user, submission=submission.public_id)
    return link


@transaction.atomic
def matter_unlink_submission(*, link: MatterSubmission, acting_user: User | None) -> None:
    _audit_matter(AuditAction.MATTER_UNLINKED, link.matter, acting_user, submission=link.submission.public_id)
    link.delete()


def _audit_matter(action: AuditAction, matter: Matter, acting_user: User | None, **details: object) -> None:
    audit_record(
        action=action,
        workspace_id=matter.workspace_id,
        acting_user=acting_user,
        target_type="matter",
        target_id=matter.public_id,
        details={"title": matter.title, "number": f"{matter.number_prefix}-{matter.number}", **details},
    )
