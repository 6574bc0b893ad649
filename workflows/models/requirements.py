from django.conf import settings
from django.db import models

from config.actors import History
from workflows.constants import DecisionStatus, RequiredDocumentCategory, RequiredDocumentStatus
from workflows.document_types import DOCUMENT_TYPE_CHOICES
from workflows.ids import fulfillment_id, required_document_id
from workflows.models.records import SubjectRecordDocument, Workflow
from workspaces.models import ApiKey


class RequiredDocument(models.Model):
    """A document a workflow needs; its status follows its fulfillments (set by the services, never by hand)."""

    public_id = models.CharField(max_length=25, unique=True, default=required_document_id, editable=False)
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="required_documents")
    document_type_code = models.CharField(max_length=60, choices=DOCUMENT_TYPE_CHOICES)
    name = models.CharField(max_length=200)
    category = models.CharField(
        max_length=20, choices=RequiredDocumentCategory.choices, default=RequiredDocumentCategory.REQUIREMENT
    )
    requirement_text = models.CharField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=20, choices=RequiredDocumentStatus.choices, default=RequiredDocumentStatus.INACTIVE, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"


class DecisionSnapshot(models.Model):
    """The submission snapshot a reviewer's decision was made on: the newest version of the submission the client
    sent last for the workflow (``workflows.selectors.snapshots``); empty when the workflow has no submission."""

    decided_on_submission = models.ForeignKey(
        "submissions.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    decided_on_snapshot = models.CharField(max_length=30, blank=True, editable=False)
    decided_on_version = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Fulfillment(DecisionSnapshot):
    """Links an uploaded document of a subject record to a required document, with the reviewer's decision."""

    public_id = models.CharField(max_length=25, unique=True, default=fulfillment_id, editable=False)
    required_document = models.ForeignKey(RequiredDocument, on_delete=models.CASCADE, related_name="fulfillments")
    subject_document = models.ForeignKey(SubjectRecordDocument, on_delete=models.PROTECT, related_name="fulfillments")
    decision_status = models.CharField(
        max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.PENDING, editable=False
    )
    decision_reason = models.CharField(max_length=1000, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    decided_by_api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A database constraint, so two concurrent batches cannot both link one pair.
            models.UniqueConstraint(fields=["required_document", "subject_document"], name="uniq_fulfillment_pair"),
        ]

    def __str__(self) -> str:
        return self.public_id
