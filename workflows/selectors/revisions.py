"""Reads of revision requests: by link token (for the client's page) and per workflow (for its reviewers)."""

from __future__ import annotations

from dataclasses import dataclass

from config.ids import token_hash
from documents.constants import DocumentStatus
from workflows.constants import CLOSED_WORKFLOW_STATUSES
from workflows.errors import InvalidToken, RevisionRequestNotFound
from workflows.models import RevisionItem, RevisionRequest, Workflow
from workflows.selectors.public_actions import MAX_TOKEN_LENGTH
from workspaces.models import Workspace


def revision_request_get_by_token(*, token: str, for_update: bool = False) -> RevisionRequest:
    """The request a link token opens (a completed one too), or InvalidToken when unknown, expired or revoked."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("The link is invalid or has expired.")
    queryset = RevisionRequest.objects.select_related("workspace", "workflow__subject_record")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    revision = next(iter(queryset.filter(token_hash=token_hash(token))), None)
    if revision is None:
        raise InvalidToken("The link is invalid or has expired.")
    if revision.completed_at is not None:
        return revision
    if revision.revoked_at is not None or revision.state == "Expired":
        raise InvalidToken("The link is invalid or has expired.")
    if revision.workflow.status in CLOSED_WORKFLOW_STATUSES:
        raise InvalidToken("The process this link belongs to is closed.")
    return revision


def revision_items(*, revision: RevisionRequest) -> list[RevisionItem]:
    return list(
        RevisionItem.objects.filter(revision=revision)
        .select_related("required_document", "replaced__subject_document__subject_record", "record_document__document")
        .order_by("id")
    )


@dataclass(frozen=True)
class AskedDocument:
    """What the client's page shows for one document asked for again."""

    required_document_id: str
    name: str
    requirement_text: str
    received: bool
    problem: str  # why the last file sent was not accepted, in words; empty otherwise


def revision_page(*, revision: RevisionRequest) -> list[AskedDocument]:
    """The documents the client is asked for on this link, what was received, and what went wrong."""
    asked = []
    for item in revision_items(revision=revision):
        document = item.record_document.document if item.record_document else None
        problem = ""
        if item.fulfillment_id is None and document is not None and document.status == DocumentStatus.REJECTED:
            problem = document.rejection_reason or "The file could not be accepted; please choose another one."
        asked.append(
            AskedDocument(
                required_document_id=item.required_document.public_id,
                name=item.required_document.name,
                requirement_text=item.required_document.requirement_text,
                received=item.fulfillment_id is not None,
                problem=problem,
            )
        )
    return asked


def workflow_revision_requests(*, workflow: Workflow) -> list[RevisionRequest]:
    """The workflow's revision requests, newest first, with their items (for the reviewer's page and the API)."""
    return list(
        RevisionRequest.objects.filter(workflow=workflow)
        .prefetch_related("items__required_document")
        .select_related("created_by", "workflow")
        .order_by("-created_at", "-id")
    )


def revision_request_get(*, workspace: Workspace, public_id: str) -> RevisionRequest:
    """The workspace's revision request ``rv_...``, or RevisionRequestNotFound (404)."""
    revision = RevisionRequest.objects.filter(workspace=workspace, public_id=public_id).select_related("workflow")
    found = revision.first()
    if found is None:
        raise RevisionRequestNotFound(
            "No such revision request in this workspace.", details={"revision_request_id": public_id}
        )
    return found
