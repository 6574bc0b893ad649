from django.conf import settings
from django.db import models
from django.db.models import Q

from config.actors import History
from documents.models import Document
from workflows.constants import CustomerType, WorkflowStatus, WorkflowType
from workflows.ids import subject_document_id, subject_record_id, workflow_id
from workspaces.models import Workspace


class SubjectRecord(models.Model):
    """A client record of a workspace: a person or a company, with the data collected about it."""

    public_id = models.CharField(max_length=25, unique=True, default=subject_record_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="subject_records")
    customer_type = models.CharField(max_length=20, choices=CustomerType.choices)
    reference = models.CharField(
        max_length=200, blank=True, help_text="The client's own identifier; unique across the workspace when set."
    )
    data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History()

    class Meta:
        constraints = [
            # A database constraint, so two concurrent requests cannot both claim one reference.
            models.UniqueConstraint(
                fields=["workspace", "reference"], condition=~Q(reference=""), name="uniq_subject_reference"
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.public_id


class Relation(models.Model):
    """A directed link between two records of one workspace: ``from_record`` is ``role`` of ``to_record``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="relations")
    from_record = models.ForeignKey(SubjectRecord, on_delete=models.CASCADE, related_name="relations_from")
    to_record = models.ForeignKey(SubjectRecord, on_delete=models.CASCADE, related_name="relations_to")
    role = models.CharField(max_length=60, help_text="owner, ubo, director, ... or a role of the workspace's own.")
    ownership_percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_record", "to_record", "role"], name="uniq_relation_edge"),
            models.CheckConstraint(condition=~Q(from_record=models.F("to_record")), name="relation_not_self"),
            models.CheckConstraint(
                condition=Q(ownership_percentage__isnull=True)
                | Q(ownership_percentage__gte=0, ownership_percentage__lte=100),
                name="relation_ownership_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_record} is {self.role} of {self.to_record}"


class Workflow(models.Model):
    """A process (application, underwriting, provisioning) about one root subject record."""

    public_id = models.CharField(max_length=25, unique=True, default=workflow_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="workflows")
    subject_record = models.ForeignKey(SubjectRecord, on_delete=models.PROTECT, related_name="workflows")
    type = models.CharField(max_length=40, choices=WorkflowType.choices)
    status = models.CharField(max_length=30, choices=WorkflowStatus.choices, default=WorkflowStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History()

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.public_id}"


class SubjectRecordDocument(models.Model):
    """Links a subject record to a file of the upload core.

    ``field_name`` is the path of the data field it answers: the field key, or ``{sectionId}_items[i].{key}``
    for a file of a repeat row.
    """

    public_id = models.CharField(max_length=25, unique=True, default=subject_document_id, editable=False)
    subject_record = models.ForeignKey(SubjectRecord, on_delete=models.CASCADE, related_name="documents")
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="subject_link")
    field_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    def __str__(self) -> str:
        return f"{self.subject_record}: {self.field_name or self.public_id}"
