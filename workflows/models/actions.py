"""Public actions: a link token that lets an end client submit one form version for one workflow's root record."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.actors import History
from workflows.constants import PublicActionStatus
from workflows.ids import new_public_id
from workflows.models.records import SubjectRecordDocument, Workflow
from workspaces.models import Workspace


def public_action_id() -> str:
    return new_public_id("pa_")


def default_action_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.PUBLIC_ACTION_TTL_DAYS)


class PublicAction(models.Model):
    """A link token (stored hashed) for one form version of one workflow: OPEN -> AWAITING_UPLOADS -> COMPLETED."""

    public_id = models.CharField(max_length=25, unique=True, default=public_action_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="public_actions")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="public_actions")
    form_version = models.ForeignKey(
        "submissions.FormVersion",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The form the end client answers for the workflow's root record.",
    )
    # Role entities are described by forms of their own, one per customer type, so an entity's field keys
    # (first_name, id_document, ...) may repeat the root form's. Without one, entities of that type are refused.
    individual_form_version = models.ForeignKey(
        "submissions.FormVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The fields of each role entity with customer_type individual.",
    )
    company_form_version = models.ForeignKey(
        "submissions.FormVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The fields of each role entity with customer_type company.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=8, editable=False, help_text="The token's first characters.")
    status = models.CharField(max_length=20, choices=PublicActionStatus.choices, default=PublicActionStatus.OPEN)
    expires_at = models.DateTimeField(default=default_action_expiry)
    submission = models.ForeignKey(
        "submissions.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="When a member withdrew the link (its expiry moved to then too)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History(excluded_fields=["token_hash"])

    class Meta:
        indexes = [models.Index(fields=["workspace", "status", "created_at"])]

    def __str__(self) -> str:
        return f"Public action {self.public_id} ({self.status})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        """What the link does now: Completed, Revoked, Expired, or its status (Open, Awaiting uploads)."""
        if self.status == PublicActionStatus.COMPLETED:
            return "Completed"
        if self.revoked_at is not None:
            return "Revoked"
        return "Expired" if self.expired else self.get_status_display()


class PublicActionFile(models.Model):
    """One file a submission announced: the record's document link, and the entity reference it was named by."""

    action = models.ForeignKey(PublicAction, on_delete=models.CASCADE, related_name="files")
    record_document = models.OneToOneField(
        SubjectRecordDocument, on_delete=models.CASCADE, related_name="public_action_file"
    )
    entity_reference = models.CharField(max_length=200, blank=True, help_text="Blank for the root record's files.")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["action", "position"]
        constraints = [models.UniqueConstraint(fields=["action", "position"], name="uniq_public_action_file_position")]

    def __str__(self) -> str:
        return f"{self.action.public_id} #{self.position}"
