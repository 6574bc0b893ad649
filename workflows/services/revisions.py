"""Revision requests: a reviewer asks the client for new files; the client uploads them on a link of its own.

The request rejects the requirements' pending fulfillments with the reviewer's message, and makes a new link
(``/actions/<token>``, a token of its own, shown once) that asks for exactly those documents. Each new file goes
through the upload core's verification (size, type, magic bytes, final copy, scan) and, once accepted, becomes a
new fulfillment of the same requirement through ``fulfillment_batch_add``; the rejected one stays in history.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from audit.constants import AuditAction
from audit.services import audit_record
from config.errors import ValidationFailed
from config.ids import token_hash
from documents import s3
from documents.constants import PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS, DocumentStatus, UploadSource
from documents.errors import UnsupportedFileType
from documents.filetypes import extension_of
from documents.services import document_issue_upload, file_type_require
from workflows.constants import DecisionStatus, RequiredDocumentStatus, WorkflowStatus
from workflows.document_types import DOCUMENT_FILE_TYPES
from workflows.errors import PublicActionStateError, RequiredDocumentNotFound
from workflows.ids import subject_document_id
from workflows.models import RequiredDocument, RevisionItem, RevisionRequest, SubjectRecordDocument
from workflows.selectors.revisions import revision_items, revision_request_get_by_token
from workflows.services.documents import subject_document_refresh
from workflows.services.public_actions import MAX_TTL_DAYS
from workflows.services.requirements import (
    FulfillmentRequest,
    _lock_open_workflow,
    decision_snapshot_stamp,
    fulfillment_batch_add,
    fulfillment_decide,
)
from workflows.webhooks import revision_requested_emit
from workspaces.models import Workspace

MAX_MESSAGE_LENGTH = 1000


def revision_request_create(
    *,
    workspace: Workspace,
    workflow_id: str,
    required_document_ids: Sequence[str],
    message: str,
    acting_user: User | None,
    expires_in_days: int | None = None,
) -> tuple[RevisionRequest, str]:
    """Ask the client for new files for these requirements; returns the request and its raw token (shown once).

    Pending fulfillments of the requirements are rejected with ``message`` as the reason; an accepted requirement
    is refused (there is nothing to revise).
    """
    message = message.strip()
    if not message:
        raise ValidationFailed(
            "Tell the client what is wrong and what to send instead.",
            details={"fields": {"message": ["A revision request needs a message to the client."]}},
        )
    if len(message) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed(f"The message is longer than {MAX_MESSAGE_LENGTH} characters.")
    if not required_document_ids:
        raise ValidationFailed("Choose at least one required document to ask for again.")
    days = settings.PUBLIC_ACTION_TTL_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= MAX_TTL_DAYS:
        raise ValidationFailed(f"The link lifetime must be between 1 and {MAX_TTL_DAYS} days.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        workflow = _lock_open_workflow(workspace=workspace, workflow_id=workflow_id)
        requirements = list(
            RequiredDocument.objects.filter(workflow=workflow, public_id__in=set(required_document_ids))
            .prefetch_related("fulfillments")
            .order_by("created_at", "id")
        )
        missing = set(required_document_ids) - {requirement.public_id for requirement in requirements}
        if missing:
            raise RequiredDocumentNotFound(
                "No such required document in this workflow.", details={"required_document_ids": sorted(missing)}
            )
        for requirement in requirements:
            if requirement.status == RequiredDocumentStatus.ACCEPTED:
                raise PublicActionStateError(
                    f"'{requirement.name}' is already accepted; there is nothing to ask for again.",
                    details={"required_document_id": requirement.public_id},
                )
        revision = RevisionRequest(
            workspace=workspace,
            workflow=workflow,
            message=message,
            token_hash=token_hash(token),
            token_hint=token[:6],
            expires_at=timezone.now() + timedelta(days=days),
            created_by=acting_user,
        )
        decision_snapshot_stamp(revision, workflow=workflow)
        revision.save(force_insert=True)
        for requirement in requirements:
            fulfillments = list(requirement.fulfillments.all())
            for fulfillment in fulfillments:
                if fulfillment.decision_status == DecisionStatus.PENDING:
                    fulfillment_decide(
                        workspace=workspace,
                        fulfillment_id=fulfillment.public_id,
                        decision=DecisionStatus.REJECTED,
                        reason=message,
                        acting_user=acting_user,
                    )
            replaced = max(fulfillments, key=lambda fulfillment: fulfillment.created_at, default=None)
            RevisionItem.objects.create(revision=revision, required_document=requirement, replaced=replaced)
        if workflow.status in (WorkflowStatus.OPEN, WorkflowStatus.IN_REVIEW):
            workflow.status = WorkflowStatus.WAITING_FOR_CLIENT
            workflow.save(update_fields=["status", "updated_at"])
        _audit(AuditAction.REVISION_REQUESTED, revision, acting_user, message=message, workflowId=workflow.public_id)
        revision_requested_emit(revision, [requirement.public_id for requirement in requirements])
    return revision, token


def _audit(action: AuditAction, revision: RevisionRequest, acting_user: User | None, **details: object) -> None:
    audit_record(
        action=action,
        workspace_id=revision.workspace_id,
        acting_user=acting_user,
        target_type="revision_request",
        target_id=revision.public_id,
        details=details,
    )


@transaction.atomic
def revision_request_revoke(*, revision: RevisionRequest, acting_user: User | None) -> RevisionRequest:
    """End the link now; a completed request stays as it is."""
    if revision.completed_at is None and revision.revoked_at is None:
        revision.revoked_at = timezone.now()
        revision.save(update_fields=["revoked_at"])
        _audit(AuditAction.REVISION_REVOKED, revision, acting_user)
    return revision


@dataclass(frozen=True)
class RevisionFile:
    required_document_id: str
    file_name: str


@dataclass(frozen=True)
class RevisionUpload:
    item: RevisionItem
    file_name: str
    post: s3.PresignedPost


def revision_uploads_issue(*, token: str, files: Sequence[RevisionFile]) -> list[RevisionUpload]:
    """Sign a presigned POST (1 hour, 15 MB) for each file the client chose, one per requirement asked for."""
    if not files:
        raise ValidationFailed("Choose a file for at least one of the documents asked for.")
    for file in files:
        if extension_of(file.file_name) not in DOCUMENT_FILE_TYPES:
            raise UnsupportedFileType(
                f"Files like {file.file_name!r} are not accepted.",
                details={"fileName": file.file_name, "allowedExtensions": list(DOCUMENT_FILE_TYPES)},
            )
        file_type_require(file_name=file.file_name)
    with transaction.atomic():
        revision = revision_request_get_by_token(token=token, for_update=True)
        if revision.completed_at is not None:
            raise PublicActionStateError("Everything asked for on this link has been received.")
        items = {item.required_document.public_id: item for item in revision_items(revision=revision)}
        seen: set[str] = set()
        uploads = []
        for index, file in enumerate(files):
            item = items.get(file.required_document_id)
            if item is None or file.required_document_id in seen:
                raise ValidationFailed(
                    "Each file must answer a different document asked for on this link.",
                    details={"fields": {f"files[{index}].required_document_id": ["Not asked for, or given twice."]}},
                )
            seen.add(file.required_document_id)
            if item.fulfillment_id is not None:
                continue  # already received
            record = (
                item.replaced.subject_document.subject_record if item.replaced else revision.workflow.subject_record
            )
            document_id = subject_document_id()
            document, post = document_issue_upload(
                workspace=revision.workspace,
                file_name=file.file_name,
                source=UploadSource.PUBLIC_ACTION,
                key_prefix=record.public_id,
                key_name=f"{document_id}.{extension_of(file.file_name)}",
                metadata={"document-id": document_id},
                expires_in=PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS,
                acting_user=None,
            )
            item.record_document = SubjectRecordDocument.objects.create(
                public_id=document_id,
                subject_record=record,
                document=document,
                field_name=item.required_document.document_type_code,
            )
            item.save(update_fields=["record_document"])
            uploads.append(RevisionUpload(item=item, file_name=document.original_name, post=post))
    return uploads


def revision_confirm(*, token: str) -> tuple[RevisionRequest, list[RevisionItem]]:
    """Check the uploaded files; each accepted one becomes a new fulfillment. Returns the items still missing.

    S3 is read first (the lazy upload check), with no transaction open; then the request is locked and the
    fulfillments are linked. Once every item has one, the request is completed and the workflow goes to review.
    """
    revision = revision_request_get_by_token(token=token)
    if revision.completed_at is not None:
        return revision, []
    for item in revision_items(revision=revision):
        if item.fulfillment_id is None and item.record_document is not None:
            subject_document_refresh(link=item.record_document)
    with transaction.atomic():
        revision = revision_request_get_by_token(token=token, for_update=True)
        if revision.completed_at is not None:
            return revision, []
        items = revision_items(revision=revision)
        ready = [
            item
            for item in items
            if item.fulfillment_id is None
            and item.record_document is not None
            and item.record_document.document.status == DocumentStatus.UPLOADED
        ]
        if ready:
            created = fulfillment_batch_add(
                workspace=revision.workspace,
                workflow_id=revision.workflow.public_id,
                fulfillments=[
                    FulfillmentRequest(item.required_document.public_id, item.record_document.public_id)
                    for item in ready
                    if item.record_document is not None
                ],
                acting_user=None,
            )
            for item, fulfillment in zip(ready, created, strict=True):
                item.fulfillment = fulfillment
                item.save(update_fields=["fulfillment"])
        missing = [item for item in items if item.fulfillment_id is None]
        if not missing:
            revision.completed_at = timezone.now()
            revision.save(update_fields=["completed_at"])
            workflow = revision.workflow
            if workflow.status == WorkflowStatus.WAITING_FOR_CLIENT:
                workflow.status = WorkflowStatus.IN_REVIEW
                workflow.save(update_fields=["status", "updated_at"])
    return revision, missing
