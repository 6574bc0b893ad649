"""The workflow events of webhooks and their payloads: the state of the object when the event happened."""

from __future__ import annotations

from typing import Any

from webhooks.constants import EventType
from webhooks.services import webhook_event_emit
from workflows.models import Fulfillment, PublicAction, RevisionRequest, Workflow


def _workflow(workflow: Workflow) -> dict[str, Any]:
    return {
        "id": workflow.public_id,
        "type": workflow.type,
        "status": workflow.status,
        "subjectRecordId": workflow.subject_record.public_id,
        "updatedAt": workflow.updated_at.isoformat(),
    }


def workflow_completed_emit(workflow: Workflow) -> None:
    webhook_event_emit(
        workspace_id=workflow.workspace_id,
        event_type=EventType.WORKFLOW_COMPLETED,
        payload=lambda: _workflow(workflow),
    )


def public_action_completed_emit(action: PublicAction) -> None:
    def payload() -> dict[str, Any]:
        return {
            "id": action.public_id,
            "status": action.status,
            "workflowId": action.workflow.public_id,
            "submissionId": action.submission.public_id if action.submission is not None else None,
            "completedAt": action.completed_at.isoformat() if action.completed_at else None,
        }

    webhook_event_emit(workspace_id=action.workspace_id, event_type=EventType.PUBLIC_ACTION_COMPLETED, payload=payload)


def fulfillment_decided_emit(fulfillment: Fulfillment) -> None:
    def payload() -> dict[str, Any]:
        required = fulfillment.required_document
        decided_by = fulfillment.decided_by
        key = fulfillment.decided_by_api_key
        return {
            "id": fulfillment.public_id,
            "decisionStatus": fulfillment.decision_status,
            "reason": fulfillment.decision_reason,
            "decidedAt": fulfillment.decided_at.isoformat() if fulfillment.decided_at else None,
            "decidedBy": decided_by.get_username() if decided_by else (f"API key {key.name}" if key else None),
            "requiredDocumentId": required.public_id,
            "requiredDocumentStatus": required.status,
            "workflowId": required.workflow.public_id,
            "documentId": fulfillment.subject_document.public_id,
            "documentSha256": fulfillment.subject_document.document.sha256,
        }

    webhook_event_emit(
        workspace_id=fulfillment.required_document.workflow.workspace_id,
        event_type=EventType.FULFILLMENT_DECIDED,
        payload=payload,
    )


def revision_requested_emit(revision: RevisionRequest, required_document_ids: list[str]) -> None:
    def payload() -> dict[str, Any]:
        return {
            "id": revision.public_id,
            "workflowId": revision.workflow.public_id,
            "workflowStatus": revision.workflow.status,
            "message": revision.message,
            "requiredDocumentIds": required_document_ids,
            "expiresAt": revision.expires_at.isoformat(),
        }

    webhook_event_emit(workspace_id=revision.workspace_id, event_type=EventType.REVISION_REQUESTED, payload=payload)
