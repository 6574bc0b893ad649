"""Revision requests: a reviewer asks the client for new files for some required documents, with a message."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.actors import History
from workflows.ids import new_public_id
from workflows.models.actions import default_action_expiry
from workflows.models.records import SubjectRecordDocument, Workflow
from workflows.models.requirements import DecisionSnapshot, Fulfillment, RequiredDocument
from workspaces.models import Workspace


def revision_request_id() -> str:
    return new_public_id("rv_")


class RevisionRequest(DecisionSnapshot):
    """A link (its token stored hashed) on which the client uploads a new file for each requirement listed."""

    public_id = models.CharField(max_length=25, unique=True, default=revision_request_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="revision_requests")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="revision_requests")
    message = models.CharField(max_length=1000, help_text="What is asked and why, as the client reads it.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=8, editable=False)
    expires_at = models.DateTimeField(default=default_action_expiry)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = History(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Revision request {self.public_id}"

    @property
    def state(self) -> str:
        """Completed, Revoked, Expired or Open: what the link does now."""
        if self.completed_at is not None:
            return "Completed"
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Open"


class RevisionItem(models.Model):
    """One requirement of a revision request: the fulfillment it replaces and, once uploaded, the new one."""

    revision = models.ForeignKey(RevisionRequest, on_delete=models.CASCADE, related_name="items")
    required_document = models.ForeignKey(RequiredDocument, on_delete=models.CASCADE, related_name="+")
    replaced = models.ForeignKey(Fulfillment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    record_document = models.OneToOneField(
        SubjectRecordDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="revision_item"
    )
    fulfillment = models.OneToOneField(
        Fulfillment, null=True, blank=True, on_delete=models.SET_NULL, related_name="revision_item"
    )

    class Meta:
        ordering = ["revision", "id"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "required_document"], name="uniq_revision_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.revision.public_id}: {self.required_document.name}"
