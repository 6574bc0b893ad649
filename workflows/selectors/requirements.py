"""Reads of workflows, required documents and fulfillments, scoped to one workspace."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from workflows.errors import FulfillmentNotFound, WorkflowNotFound
from workflows.models import Fulfillment, Relation, RequiredDocument, Workflow
from workspaces.models import Workspace


def workflow_get(*, workspace: Workspace, public_id: str) -> Workflow:
    workflow = (
        Workflow.objects.select_related("subject_record").filter(workspace=workspace, public_id=public_id).first()
    )
    if workflow is None:
        raise WorkflowNotFound("No such workflow in this workspace.", details={"workflow_id": public_id})
    return workflow


def required_document_list(*, workflow: Workflow) -> QuerySet[RequiredDocument]:
    return RequiredDocument.objects.filter(workflow=workflow).order_by("created_at", "id")


def fulfillment_list(*, workflow: Workflow, required_document_id: str | None = None) -> QuerySet[Fulfillment]:
    queryset = Fulfillment.objects.filter(required_document__workflow=workflow).select_related(
        "required_document", "subject_document"
    )
    if required_document_id is not None:
        queryset = queryset.filter(required_document__public_id=required_document_id)
    return queryset.order_by("created_at", "id")


def fulfillment_get(*, workspace: Workspace, public_id: str) -> Fulfillment:
    fulfillment = (
        Fulfillment.objects.select_related("required_document__workflow", "subject_document")
        .filter(public_id=public_id, required_document__workflow__workspace=workspace)
        .first()
    )
    if fulfillment is None:
        raise FulfillmentNotFound("No such fulfillment in this workspace.", details={"fulfillment_id": public_id})
    return fulfillment


def workflow_subject_ids(*, workflow: Workflow) -> set[int]:
    """The subject records whose documents may fulfil the workflow's requirements: its root and the records
    directly related to the root (owners, directors, ...)."""
    root = workflow.subject_record_id
    related = Relation.objects.filter(Q(from_record_id=root) | Q(to_record_id=root)).values_list(
        "from_record_id", "to_record_id"
    )
    ids = {root}
    for from_id, to_id in related:
        ids.update((from_id, to_id))
    return ids


def workflow_requirements_review(*, workflow: Workflow) -> list[RequiredDocument]:
    """The workflow's required documents, each with its fulfillments (oldest first), documents and deciders."""
    fulfillments = Fulfillment.objects.select_related(
        "subject_document__document", "subject_document__subject_record", "decided_by", "decided_by_api_key"
    ).order_by("created_at", "id")
    return list(
        required_document_list(workflow=workflow).prefetch_related(Prefetch("fulfillments", queryset=fulfillments))
    )
