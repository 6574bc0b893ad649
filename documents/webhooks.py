"""``document.accepted`` and ``document.rejected``: the outcome of an upload's verification, sent to webhooks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from documents.constants import DocumentStatus
from documents.models import Document
from webhooks.constants import EventType
from webhooks.services import PayloadSource, webhook_events_emit

OUTCOMES: dict[str, EventType] = {
    DocumentStatus.UPLOADED: EventType.DOCUMENT_ACCEPTED,
    DocumentStatus.REJECTED: EventType.DOCUMENT_REJECTED,
}


def document_webhook_payload(document: Document) -> dict[str, Any]:
    return {
        "id": str(document.uuid),
        "status": document.status,
        "fileName": document.original_name,
        "contentType": document.content_type,
        "size": document.size,
        "sha256": document.sha256 or None,
        "problem": document.problem or None,
        "reason": document.rejection_reason or None,
        "source": document.source,
        "uploadedAt": document.uploaded_at.isoformat() if document.uploaded_at else None,
    }


def document_events_emit(documents: Sequence[Document]) -> None:
    """One event per verified document, in the transaction that records the outcome (a query per workspace)."""
    by_workspace: dict[int, list[tuple[EventType, PayloadSource]]] = defaultdict(list)
    for document in documents:
        if document.status in OUTCOMES:
            by_workspace[document.workspace_id].append((OUTCOMES[document.status], document_webhook_payload(document)))
    for workspace_id, events in by_workspace.items():
        webhook_events_emit(workspace_id=workspace_id, events=events)
