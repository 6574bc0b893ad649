"""Writes of workflows, required documents, fulfillments and reviewer decisions.

A requirement's status is derived from its fulfillments and stored, recomputed here after every change. Every write
that reads a workflow's state first locks the workflow row, so a batch, a decision and a completion never race.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.constants import AuditAction
from audit.services import audit_record
from config.errors import ValidationFailed
from documents.constants import DocumentStatus, ScanStatus
from workflows.access import workflow_is_open
from workflows.constants import (
    BLOCKING_CATEGORIES,
    CustomerType,
    DecisionStatus,
    RequiredDocumentCategory,
    RequiredDocumentStatus,
    WorkflowStatus,
    WorkflowType,
)
from workflows.document_types import document_type_get
from workflows.errors import (
    DocumentNotFound,
    DocumentNotUploaded,
    DocumentQuarantined,
    DocumentSubjectMismatch,
    DuplicateFulfillment,
    DuplicateReference,
    FulfillmentAlreadyDecided,
    RequiredDocumentNotFound,
    RequiredDocumentWorkflowMismatch,
    RequirementsOutstanding,
    WorkflowClosed,
)
from workflows.models import Fulfillment, RequiredDocument, SubjectRecord, SubjectRecordDocument, Workflow
from workflows.models.requirements import DecisionSnapshot
from workflows.selectors.documents import subject_record_get, upload_status
from workflows.selectors.requirements import fulfillment_get, workflow_get, workflow_subject_ids
from workflows.selectors.snapshots import workflow_snapshot_current
from workflows.services.documents import subject_document_refresh
from workflows.webhooks import fulfillment_decided_emit, workflow_completed_emit
from workspaces.models import ApiKey, Workspace


def _lock_open_workflow(*, workspace: Workspace, workflow_id: str) -> Workflow:
    """The workflow, locked for the rest of the transaction; a COMPLETED or CANCELLED one is refused."""
    workflow = workflow_get(workspace=workspace, public_id=workflow_id)
    workflow = Workflow.objects.select_for_update().select_related("subject_record").get(pk=workflow.pk)
    if not workflow_is_open(workflow):
        raise WorkflowClosed(
            f"The workflow is {workflow.status} and takes no more changes.",
            details={"workflow_id": workflow.public_id, "workflow_status": workflow.status},
        )
    return workflow


@dataclass(frozen=True)
class NewSubjectRecord:
    customer_type: CustomerType
    reference: str = ""


def workflow_create(
    *,
    workspace: Workspace,
    type: WorkflowType,
    acting_user: User | None,
    subject_record_id: str | None = None,
    subject_record: NewSubjectRecord | None = None,
) -> Workflow:
    """A workflow about an existing subject record, or about a new one created with it (one transaction)."""
    if (subject_record_id is None) == (subject_record is None):
        raise ValueError("give exactly one of subject_record_id and subject_record")
    if subject_record_id is not None:
        record = subject_record_get(workspace=workspace, public_id=subject_record_id)
        return Workflow.objects.create(workspace=workspace, subject_record=record, type=type)
    assert subject_record is not None
    reference = subject_record.reference.strip()
    duplicate = DuplicateReference(
        f"Reference '{reference}' is already used by a client record of this workspace.",
        details={"references": [reference]},
    )
    if reference and SubjectRecord.objects.filter(workspace=workspace, reference=reference).exists():
        raise duplicate
    try:
        with transaction.atomic():
            record = SubjectRecord.objects.create(
                workspace=workspace,
                customer_type=subject_record.customer_type,
                reference=reference,
                created_by=acting_user,
            )
            return Workflow.objects.create(workspace=workspace, subject_record=record, type=type)
    except IntegrityError as exc:  # a concurrent request took the reference after our check
        raise duplicate from exc


def required_document_add(
    *,
    workspace: Workspace,
    workflow_id: str,
    document_type_code: str,
    name: str = "",
    category: RequiredDocumentCategory = RequiredDocumentCategory.REQUIREMENT,
    requirement_text: str = "",
    acting_user: User | None,
) -> RequiredDocument:
    """Add a required document to an open workflow; its name defaults to the document type's name."""
    document_type = document_type_get(document_type_code)
    if document_type is None:  # the serializer refuses it first; this guards the admin and other callers
        raise ValueError(f"unknown document type {document_type_code!r}")
    with transaction.atomic():
        workflow = _lock_open_workflow(workspace=workspace, workflow_id=workflow_id)
        return RequiredDocument.objects.create(
            workflow=workflow,
            document_type_code=document_type.code,
            name=name or document_type.name,
            category=category,
            requirement_text=requirement_text,
        )


def required_document_update(
    *,
    workspace: Workspace,
    required_document_id: str,
    name: str,
    category: RequiredDocumentCategory,
    requirement_text: str,
    acting_user: User | None,
) -> RequiredDocument:
    """Edit a required document of an open workflow (its type and status are not edited)."""
    with transaction.atomic():
        required_document = RequiredDocument.objects.filter(
            public_id=required_document_id, workflow__workspace=workspace
        ).first()
        if required_document is None:
            raise RequiredDocumentNotFound(
                "No such required document in this workspace.",
                details={"required_document_id": required_document_id},
            )
        _lock_open_workflow(workspace=workspace, workflow_id=required_document.workflow.public_id)
        required_document.name = name.strip() or required_document.name
        required_document.category = category
        required_document.requirement_text = requirement_text
        required_document.save(update_fields=["name", "category", "requirement_text", "updated_at"])
    return required_document


def requirement_status(decisions: Iterable[str]) -> RequiredDocumentStatus:
    """INACTIVE without fulfillments, ACCEPTED once one is accepted, REJECTED when all are, else PENDING_REVIEW."""
    decisions = list(decisions)
    if not decisions:
        return RequiredDocumentStatus.INACTIVE
    if DecisionStatus.ACCEPTED in decisions:
        return RequiredDocumentStatus.ACCEPTED
    if all(decision == DecisionStatus.REJECTED for decision in decisions):
        return RequiredDocumentStatus.REJECTED
    return RequiredDocumentStatus.PENDING_REVIEW


def _required_documents_refresh(required_documents: Iterable[RequiredDocument]) -> None:
    by_pk = {required_document.pk: required_document for required_document in required_documents}
    decisions: dict[int, list[str]] = {pk: [] for pk in by_pk}
    for required_document_pk, decision in Fulfillment.objects.filter(required_document__in=by_pk).values_list(
        "required_document_id", "decision_status"
    ):
        decisions[required_document_pk].append(decision)
    for pk, required_document in by_pk.items():
        new_status = requirement_status(decisions[pk])
        if required_document.status != new_status:
            required_document.status = new_status
            required_document.save(update_fields=["status", "updated_at"])


@dataclass(frozen=True)
class FulfillmentRequest:
    required_document_id: str
    document_id: str


def fulfillment_batch_add(
    *,
    workspace: Workspace,
    workflow_id: str,
    fulfillments: Sequence[FulfillmentRequest],
    acting_user: User | None,
) -> list[Fulfillment]:
    """Link uploaded documents to required documents of one workflow, all or nothing.

    Refused (nothing written): an unknown workflow, requirement or document (404; another workspace's is unknown),
    a requirement of another workflow, a document of a subject unrelated to the workflow's, a document not UPLOADED,
    a pair linked twice (in the batch or already), a COMPLETED or CANCELLED workflow.
    """
    workflow = workflow_get(workspace=workspace, public_id=workflow_id)
    document_ids = {item.document_id for item in fulfillments}
    links = {
        link.public_id: link
        for link in SubjectRecordDocument.objects.select_related("document").filter(
            public_id__in=document_ids, subject_record__workspace=workspace, document__workspace=workspace
        )
    }
    for index, item in enumerate(fulfillments):
        if item.document_id not in links:
            raise DocumentNotFound(
                "No such document in this workspace.", details={"index": index, "document_id": item.document_id}
            )
    # An upload whose S3 event has not been processed yet is checked now (one ranged GET), outside the lock.
    for link in links.values():
        subject_document_refresh(link=link)

    with transaction.atomic():
        workflow = _lock_open_workflow(workspace=workspace, workflow_id=workflow.public_id)
        required_ids = {item.required_document_id for item in fulfillments}
        required_documents = {
            required_document.public_id: required_document
            for required_document in RequiredDocument.objects.filter(
                public_id__in=required_ids, workflow__workspace=workspace
            )
        }
        allowed_subjects = workflow_subject_ids(workflow=workflow)
        seen: set[tuple[str, str]] = set()
        for index, item in enumerate(fulfillments):
            details = {
                "index": index,
                "required_document_id": item.required_document_id,
                "document_id": item.document_id,
            }
            required_document = required_documents.get(item.required_document_id)
            if required_document is None:
                raise RequiredDocumentNotFound("No such required document in this workspace.", details=details)
            if required_document.workflow_id != workflow.pk:
                raise RequiredDocumentWorkflowMismatch(
                    "The required document belongs to another workflow.", details=details
                )
            link = links[item.document_id]
            if link.subject_record_id not in allowed_subjects:
                raise DocumentSubjectMismatch(
                    "The document belongs to a subject record that is not this workflow's subject or related to it.",
                    details=details,
                )
            if link.document.status != DocumentStatus.UPLOADED:
                raise DocumentNotUploaded(
                    "Only an UPLOADED document can fulfil a requirement.",
                    details={**details, "upload_status": upload_status(link.document)},
                )
            if link.document.scan_status == ScanStatus.QUARANTINED:
                raise DocumentQuarantined(
                    "A quarantined document can fulfil no requirement.",
                    details={**details, "scan_reason": link.document.scan_reason},
                )
            pair = (item.required_document_id, item.document_id)
            if pair in seen:
                raise DuplicateFulfillment("The batch links this document to this requirement twice.", details=details)
            seen.add(pair)

        existing = set(
            Fulfillment.objects.filter(
                required_document__in=required_documents.values(), subject_document__in=links.values()
            ).values_list("required_document__public_id", "subject_document__public_id")
        )
        for index, item in enumerate(fulfillments):
            if (item.required_document_id, item.document_id) in existing:
                raise DuplicateFulfillment(
                    "This document already fulfils this requirement.",
                    details={
                        "index": index,
                        "required_document_id": item.required_document_id,
                        "document_id": item.document_id,
                    },
                )

        created = [
            Fulfillment.objects.create(
                required_document=required_documents[item.required_document_id],
                subject_document=links[item.document_id],
                created_by=acting_user,
            )
            for item in fulfillments
        ]
        _required_documents_refresh({fulfillment.required_document for fulfillment in created})
    return created


def fulfillment_decision_check(*, fulfillment: Fulfillment, decision: DecisionStatus, reason: str) -> None:
    """The rules of a decision, also asked by a form before it calls ``fulfillment_decide``: ACCEPTED or REJECTED
    (a rejection with a reason), on a PENDING fulfillment of an open workflow."""
    if decision not in (DecisionStatus.ACCEPTED, DecisionStatus.REJECTED):
        raise ValidationFailed(
            "decision_status must be ACCEPTED or REJECTED.", details={"fields": {"decision_status": [str(decision)]}}
        )
    if decision == DecisionStatus.REJECTED and not reason.strip():
        raise ValidationFailed(
            "A rejection needs a reason.", details={"fields": {"reason": ["A rejection needs a reason."]}}
        )
    workflow = fulfillment.required_document.workflow
    if not workflow_is_open(workflow):
        raise WorkflowClosed(
            f"The workflow is {workflow.status} and takes no more changes.",
            details={"workflow_id": workflow.public_id, "workflow_status": workflow.status},
        )
    document = fulfillment.subject_document.document
    if decision == DecisionStatus.ACCEPTED and document.scan_status == ScanStatus.QUARANTINED:
        # The scan may finish after the link was made: a file quarantined since cannot be accepted.
        raise DocumentQuarantined(
            "The document was quarantined by its content check or malware scan and cannot be accepted.",
            details={"fulfillment_id": fulfillment.public_id, "scan_reason": document.scan_reason},
        )
    if fulfillment.decision_status != DecisionStatus.PENDING:
        raise FulfillmentAlreadyDecided(
            f"The fulfillment was already {fulfillment.decision_status}.",
            details={"fulfillment_id": fulfillment.public_id, "decision_status": fulfillment.decision_status},
        )


def decision_snapshot_stamp(decision: DecisionSnapshot, *, workflow: Workflow) -> None:
    """Stamp a decision (not yet saved) with the snapshot it is made on: the workflow's current submission version."""
    snapshot = workflow_snapshot_current(workflow=workflow)
    if snapshot is not None:
        decision.decided_on_submission = snapshot.submission
        decision.decided_on_snapshot = snapshot.snapshot_id
        decision.decided_on_version = snapshot.version


def fulfillment_decide(
    *,
    workspace: Workspace,
    fulfillment_id: str,
    decision: DecisionStatus,
    reason: str,
    acting_user: User | None,
    api_key: ApiKey | None = None,
) -> Fulfillment:
    """Record a reviewer's ACCEPTED or REJECTED (with who and when); a decision is final, a rejection has a reason."""
    fulfillment = fulfillment_get(workspace=workspace, public_id=fulfillment_id)
    with transaction.atomic():
        _lock_open_workflow(workspace=workspace, workflow_id=fulfillment.required_document.workflow.public_id)
        fulfillment = Fulfillment.objects.select_related(
            "required_document__workflow", "subject_document__document"
        ).get(pk=fulfillment.pk)
        fulfillment_decision_check(fulfillment=fulfillment, decision=decision, reason=reason)
        fulfillment.decision_status = decision
        fulfillment.decision_reason = reason
        fulfillment.decided_by = acting_user
        fulfillment.decided_by_api_key = api_key
        fulfillment.decided_at = timezone.now()
        decision_snapshot_stamp(fulfillment, workflow=fulfillment.required_document.workflow)
        fulfillment._change_reason = f"decision {decision}"  # type: ignore[attr-defined]
        fulfillment.save()
        _required_documents_refresh([fulfillment.required_document])
        fulfillment_decided_emit(fulfillment)
        audit_record(
            action=AuditAction.FULFILLMENT_DECIDED,
            workspace_id=workspace.pk,
            acting_user=acting_user,
            target_type="fulfillment",
            target_id=fulfillment.public_id,
            details={
                "decision": decision,
                "reason": reason,
                "requiredDocumentId": fulfillment.required_document.public_id,
                "workflowId": fulfillment.required_document.workflow.public_id,
                "snapshotVersion": fulfillment.decided_on_version,
            },
        )
    return fulfillment


def workflow_complete(*, workspace: Workspace, workflow_id: str, acting_user: User | None) -> Workflow:
    """Complete the workflow once every REQUIREMENT and STIPULATION is ACCEPTED."""
    with transaction.atomic():
        workflow = _lock_open_workflow(workspace=workspace, workflow_id=workflow_id)
        outstanding = list(
            RequiredDocument.objects.filter(workflow=workflow, category__in=BLOCKING_CATEGORIES)
            .exclude(status=RequiredDocumentStatus.ACCEPTED)
            .values_list("public_id", flat=True)
        )
        if outstanding:
            raise RequirementsOutstanding(
                "Every required document must be ACCEPTED before the workflow can be completed.",
                details={"required_document_ids": outstanding},
            )
        workflow.status = WorkflowStatus.COMPLETED
        workflow.save(update_fields=["status", "updated_at"])
        workflow_completed_emit(workflow)
    return workflow


def workflow_cancel(*, workspace: Workspace, workflow_id: str, acting_user: User | None) -> Workflow:
    """Cancel an open workflow; it then takes no fulfillments or decisions."""
    with transaction.atomic():
        workflow = _lock_open_workflow(workspace=workspace, workflow_id=workflow_id)
        workflow.status = WorkflowStatus.CANCELLED
        workflow.save(update_fields=["status", "updated_at"])
    return workflow
