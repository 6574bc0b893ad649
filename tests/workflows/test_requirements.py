"""Workflows, required documents, fulfillments and decisions through the dotted API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.urls import reverse
from rest_framework.test import APIClient

from documents.constants import ScanStatus
from documents.models import Document
from tests.workflows.factories import RequiredDocumentFactory, SubjectRecordFactory, WorkflowFactory
from workflows.constants import RequiredDocumentCategory, WorkflowStatus
from workflows.models import Fulfillment, Relation, RequiredDocument, SubjectRecord, SubjectRecordDocument, Workflow
from workspaces.constants import Role
from workspaces.models import Workspace

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def call(client: APIClient, name: str, body: dict[str, Any]) -> Any:
    return client.post(reverse(name), body, format="json")


def new_document(client: APIClient, record: SubjectRecord, content: bytes = PDF, upload: bool = True) -> str:
    """document.create, then (optionally) the upload straight to S3; returns the document id."""
    response = call(
        client,
        "document-create",
        {"subject_record_id": record.public_id, "file_name": "statement.pdf", "file_size_in_bytes": len(content)},
    )
    document = response.json()["data"]["document"]
    if upload:
        parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in document["presign_values"].items()]
        parts.append(("file", ("statement.pdf", content, "application/pdf")))
        assert requests.post(document["upload_url"], files=parts, timeout=30).status_code == 204
    return str(document["document_id"])


def uploaded(client: APIClient, record: SubjectRecord, content: bytes = PDF) -> str:
    """An uploaded document whose status is already UPLOADED (document.get verifies it)."""
    document_id = new_document(client, record, content)
    assert call(client, "document-get", {"document_id": document_id}).json()["data"]["document"]["upload_status"] in (
        "UPLOADED",
        "REJECTED",
    )
    return document_id


@pytest.fixture
def workflow(workspace: Workspace) -> Workflow:
    return WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))


@pytest.fixture
def passport(workflow: Workflow) -> RequiredDocument:
    return RequiredDocumentFactory.create(workflow=workflow)


@pytest.fixture
def proof_of_address(workflow: Workflow) -> RequiredDocument:
    return RequiredDocumentFactory.create(
        workflow=workflow, document_type_code="PROOF_OF_ADDRESS", name="Proof of Address", requirement_text=""
    )


def batch_add(client: APIClient, workflow: Workflow, *pairs: tuple[str, str]) -> Any:
    items = [{"required_document_id": rd, "document_id": d} for rd, d in pairs]
    return call(client, "fulfillment-batch-add", {"workflow_id": workflow.public_id, "fulfillments": items})


def statuses(workflow: Workflow) -> dict[str, str]:
    return dict(RequiredDocument.objects.filter(workflow=workflow).values_list("public_id", "status"))


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["error"]
    return dict(body["details"])


# --- workflow.create, workflow.requiredDocument.add / list -------------------------------------------


def test_workflow_create(api_client: APIClient, workspace: Workspace) -> None:
    record = SubjectRecordFactory.create(workspace=workspace)

    response = call(
        api_client, "workflow-create", {"subject_record_id": record.public_id, "type": "BUSINESS_UNDERWRITING"}
    )

    assert response.status_code == 201, response.content
    workflow = response.json()["data"]["workflow"]
    assert workflow["workflow_id"].startswith("w_")
    assert workflow["subject_record_id"] == record.public_id
    assert workflow["type"] == "BUSINESS_UNDERWRITING"
    assert workflow["status"] == "OPEN"
    assert Workflow.objects.get(public_id=workflow["workflow_id"]).workspace == workspace


def test_workflow_create_makes_its_subject_record(api_client: APIClient, workspace: Workspace) -> None:
    body = {"type": "BUSINESS_APPLICATION", "subject_record": {"customer_type": "company", "reference": "ACME-001"}}

    response = call(api_client, "workflow-create", body)

    assert response.status_code == 201, response.content
    workflow = response.json()["data"]["workflow"]
    record = SubjectRecord.objects.get(public_id=workflow["subject_record_id"])
    assert (record.workspace, record.customer_type, record.reference) == (workspace, "company", "ACME-001")
    # The seed's flow: the subject_record_id from workflow creation is what document.create takes.
    document = call(
        api_client,
        "document-create",
        {"subject_record_id": record.public_id, "file_name": "articles.pdf", "file_size_in_bytes": 2048},
    )
    assert document.status_code == 200


def test_workflow_create_refuses_a_taken_reference_and_ambiguous_subjects(
    api_client: APIClient, workspace: Workspace
) -> None:
    existing = SubjectRecordFactory.create(workspace=workspace, reference="ACME-001")
    new_record = {"customer_type": "company", "reference": "ACME-001"}

    taken = call(api_client, "workflow-create", {"type": "BUSINESS_APPLICATION", "subject_record": new_record})
    both = call(
        api_client,
        "workflow-create",
        {"type": "BUSINESS_APPLICATION", "subject_record": new_record, "subject_record_id": existing.public_id},
    )
    bad_type = call(
        api_client, "workflow-create", {"type": "BUSINESS_APPLICATION", "subject_record": {"customer_type": "robot"}}
    )

    assert assert_error(taken, 400, "DUPLICATE_REFERENCE")["references"] == ["ACME-001"]
    assert_error(both, 400, "VALIDATION_ERROR")
    assert_error(bad_type, 400, "VALIDATION_ERROR")
    assert SubjectRecord.objects.count() == 1
    assert Workflow.objects.count() == 0


def test_workflow_create_refusals(api_client: APIClient, workspace: Workspace, other_workspace: Workspace) -> None:
    record = SubjectRecordFactory.create(workspace=workspace)
    foreign = SubjectRecordFactory.create(workspace=other_workspace)

    assert_error(
        call(api_client, "workflow-create", {"subject_record_id": record.public_id, "type": "NOPE"}),
        400,
        "VALIDATION_ERROR",
    )
    assert_error(call(api_client, "workflow-create", {"type": "BUSINESS_APPLICATION"}), 400, "VALIDATION_ERROR")
    assert_error(
        call(api_client, "workflow-create", {"subject_record_id": foreign.public_id, "type": "BUSINESS_APPLICATION"}),
        404,
        "SUBJECT_RECORD_NOT_FOUND",
    )
    assert Workflow.objects.count() == 0


def test_required_document_add_and_list(api_client: APIClient, workflow: Workflow) -> None:
    added = call(
        api_client,
        "required-document-add",
        {
            "workflow_id": workflow.public_id,
            "document_type_code": "PASSPORT",
            "requirement_text": "Valid passport required",
        },
    )
    call(
        api_client,
        "required-document-add",
        {
            "workflow_id": workflow.public_id,
            "document_type_code": "BANK_STATEMENT",
            "name": "Bank Statement",
            "category": "STIPULATION",
            "requirement_text": "Most recent 3 months",
        },
    )

    assert added.status_code == 201, added.content
    assert added.json()["data"]["required_document"]["name"] == "Passport Document"  # the registry's name
    response = call(api_client, "required-document-list", {"workflow_id": workflow.public_id})
    assert response.status_code == 200
    listed = response.json()["data"]["required_documents"]
    assert [item["document_type_code"] for item in listed] == ["PASSPORT", "BANK_STATEMENT"]
    assert list(listed[0]) == [
        "required_document_id",
        "document_type_code",
        "name",
        "category",
        "requirement_text",
        "required_document_status",
        "created_at",
        "updated_at",
    ]
    assert listed[0]["required_document_id"].startswith("rd_")
    assert listed[0]["category"] == "REQUIREMENT"
    assert listed[0]["requirement_text"] == "Valid passport required"
    assert listed[0]["required_document_status"] == "INACTIVE"
    assert listed[1]["category"] == "STIPULATION"


def test_required_document_add_refusals(
    api_client: APIClient, workflow: Workflow, other_workspace: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    assert_error(
        call(
            api_client,
            "required-document-add",
            {"workflow_id": workflow.public_id, "document_type_code": "SELFIE_STICK"},
        ),
        400,
        "VALIDATION_ERROR",
    )
    outsider = api_client_for(other_workspace)
    assert_error(
        call(outsider, "required-document-add", {"workflow_id": workflow.public_id, "document_type_code": "PASSPORT"}),
        404,
        "WORKFLOW_NOT_FOUND",
    )
    Workflow.objects.filter(pk=workflow.pk).update(status=WorkflowStatus.CANCELLED)
    assert_error(
        call(
            api_client, "required-document-add", {"workflow_id": workflow.public_id, "document_type_code": "PASSPORT"}
        ),
        409,
        "WORKFLOW_CLOSED",
    )
    assert RequiredDocument.objects.count() == 0


def test_required_document_list_queries_do_not_grow(
    api_client: APIClient, workflow: Workflow, django_assert_max_num_queries: Any
) -> None:
    RequiredDocumentFactory.create_batch(15, workflow=workflow)

    with django_assert_max_num_queries(4):
        response = call(api_client, "required-document-list", {"workflow_id": workflow.public_id})

    assert len(response.json()["data"]["required_documents"]) == 15


def test_required_document_list_of_another_workspace_is_not_found(
    workflow: Workflow, passport: RequiredDocument, other_workspace: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    response = call(api_client_for(other_workspace), "required-document-list", {"workflow_id": workflow.public_id})

    details = assert_error(response, 404, "WORKFLOW_NOT_FOUND")
    assert passport.public_id not in str(details)


# --- fulfillment.batchAdd ------------------------------------------------------------------------


def test_one_document_fulfils_two_requirements(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument, proof_of_address: RequiredDocument
) -> None:
    document_id = uploaded(api_client, workflow.subject_record)

    response = batch_add(
        api_client, workflow, (passport.public_id, document_id), (proof_of_address.public_id, document_id)
    )

    assert response.status_code == 201, response.content
    fulfillments = response.json()["data"]["fulfillments"]
    assert [item["required_document_id"] for item in fulfillments] == [passport.public_id, proof_of_address.public_id]
    assert {item["document_id"] for item in fulfillments} == {document_id}
    for item in fulfillments:
        assert item["fulfillment_id"].startswith("f_")
        assert item["decision_status"] == "PENDING"
        assert {"created_at", "updated_at"} <= set(item)
    assert statuses(workflow) == {passport.public_id: "PENDING_REVIEW", proof_of_address.public_id: "PENDING_REVIEW"}


def test_batch_add_checks_an_upload_whose_event_has_not_arrived(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument
) -> None:
    document_id = new_document(api_client, workflow.subject_record)  # uploaded, never read back

    response = batch_add(api_client, workflow, (passport.public_id, document_id))

    assert response.status_code == 201, response.content


def test_batch_is_atomic(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument, proof_of_address: RequiredDocument
) -> None:
    good = uploaded(api_client, workflow.subject_record)
    pending = new_document(api_client, workflow.subject_record, upload=False)

    response = batch_add(api_client, workflow, (passport.public_id, good), (proof_of_address.public_id, pending))

    details = assert_error(response, 409, "DOCUMENT_NOT_UPLOADED")
    assert details["index"] == 1
    assert details["upload_status"] == "PENDING"
    assert Fulfillment.objects.count() == 0
    assert set(statuses(workflow).values()) == {"INACTIVE"}


def test_batch_refuses_a_rejected_document(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument
) -> None:
    rejected = uploaded(api_client, workflow.subject_record, content=PNG)  # a PNG declared as statement.pdf

    details = assert_error(
        batch_add(api_client, workflow, (passport.public_id, rejected)), 409, "DOCUMENT_NOT_UPLOADED"
    )

    assert details["upload_status"] == "REJECTED"
    assert Fulfillment.objects.count() == 0


def quarantine(document_id: str) -> None:
    """What the scan worker records when a file fails its content check or the malware scan."""
    Document.objects.filter(subject_link__public_id=document_id).update(
        scan_status=ScanStatus.QUARANTINED, scan_reason="Malware found: Test.Signature"
    )


def test_a_quarantined_document_fulfils_nothing_and_cannot_be_accepted(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument, proof_of_address: RequiredDocument
) -> None:
    scanned_late = uploaded(api_client, workflow.subject_record)
    linked = batch_add(api_client, workflow, (passport.public_id, scanned_late))
    assert linked.status_code == 201, linked.content
    quarantine(scanned_late)

    refused_link = batch_add(api_client, workflow, (proof_of_address.public_id, scanned_late))
    details = assert_error(refused_link, 409, "DOCUMENT_QUARANTINED")
    assert details["scan_reason"] == "Malware found: Test.Signature"
    assert Fulfillment.objects.count() == 1

    fulfillment_id = linked.json()["data"]["fulfillments"][0]["fulfillment_id"]
    details = assert_error(decide(api_client, fulfillment_id, "ACCEPTED"), 409, "DOCUMENT_QUARANTINED")
    assert Fulfillment.objects.get(public_id=fulfillment_id).decision_status == "PENDING"
    rejected = decide(api_client, fulfillment_id, "REJECTED", reason="The file is infected.")
    assert rejected.status_code == 200, rejected.content


def test_batch_refuses_the_same_pair_twice(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument
) -> None:
    document_id = uploaded(api_client, workflow.subject_record)

    in_one_batch = batch_add(api_client, workflow, (passport.public_id, document_id), (passport.public_id, document_id))
    assert_error(in_one_batch, 409, "DUPLICATE_FULFILLMENT")
    assert Fulfillment.objects.count() == 0

    assert batch_add(api_client, workflow, (passport.public_id, document_id)).status_code == 201
    again = batch_add(api_client, workflow, (passport.public_id, document_id))
    assert_error(again, 409, "DUPLICATE_FULFILLMENT")
    assert Fulfillment.objects.count() == 1


def test_batch_refuses_a_document_of_an_unrelated_subject_but_takes_a_related_ones(
    api_client: APIClient, workspace: Workspace, workflow: Workflow, passport: RequiredDocument
) -> None:
    stranger = SubjectRecordFactory.create(workspace=workspace, customer_type="individual")
    owner = SubjectRecordFactory.create(workspace=workspace, customer_type="individual")
    Relation.objects.create(workspace=workspace, from_record=owner, to_record=workflow.subject_record, role="owner")

    refused = batch_add(api_client, workflow, (passport.public_id, uploaded(api_client, stranger)))
    accepted = batch_add(api_client, workflow, (passport.public_id, uploaded(api_client, owner)))

    assert_error(refused, 400, "DOCUMENT_SUBJECT_MISMATCH")
    assert accepted.status_code == 201, accepted.content
    assert Fulfillment.objects.count() == 1


def test_batch_refuses_a_requirement_of_another_workflow(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument
) -> None:
    other_workflow = WorkflowFactory.create(subject_record=workflow.subject_record)
    other_requirement = RequiredDocumentFactory.create(workflow=other_workflow)
    document_id = uploaded(api_client, workflow.subject_record)

    response = batch_add(
        api_client, workflow, (passport.public_id, document_id), (other_requirement.public_id, document_id)
    )

    details = assert_error(response, 400, "REQUIRED_DOCUMENT_WORKFLOW_MISMATCH")
    assert details["index"] == 1
    assert Fulfillment.objects.count() == 0


def test_batch_refuses_documents_and_requirements_of_another_workspace(
    api_client: APIClient,
    workflow: Workflow,
    passport: RequiredDocument,
    other_workspace: Workspace,
    api_client_for: Callable[..., APIClient],
) -> None:
    outsider = api_client_for(other_workspace)
    foreign_record = SubjectRecordFactory.create(workspace=other_workspace)
    foreign_document = uploaded(outsider, foreign_record)
    foreign_requirement = RequiredDocumentFactory.create(workflow=WorkflowFactory.create(subject_record=foreign_record))
    document_id = uploaded(api_client, workflow.subject_record)

    assert_error(batch_add(api_client, workflow, (passport.public_id, foreign_document)), 404, "DOCUMENT_NOT_FOUND")
    assert_error(
        batch_add(api_client, workflow, (foreign_requirement.public_id, document_id)),
        404,
        "REQUIRED_DOCUMENT_NOT_FOUND",
    )
    assert_error(batch_add(outsider, workflow, (passport.public_id, document_id)), 404, "WORKFLOW_NOT_FOUND")
    assert Fulfillment.objects.count() == 0


@pytest.mark.parametrize("closed", [WorkflowStatus.COMPLETED, WorkflowStatus.CANCELLED])
def test_batch_refuses_a_closed_workflow(
    api_client: APIClient, workflow: Workflow, passport: RequiredDocument, closed: WorkflowStatus
) -> None:
    document_id = uploaded(api_client, workflow.subject_record)
    Workflow.objects.filter(pk=workflow.pk).update(status=closed)

    details = assert_error(batch_add(api_client, workflow, (passport.public_id, document_id)), 409, "WORKFLOW_CLOSED")

    assert details["workflow_status"] == closed
    assert Fulfillment.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"fulfillments": []},
        {"fulfillments": [{"required_document_id": "rd_x"}]},
        {"fulfillments": "rd_x"},
        {"fulfillments": [{"required_document_id": "rd_x", "document_id": "d_x"}] * 101},  # at most 100 a batch
        {},
    ],
)
def test_batch_refuses_malformed_bodies(api_client: APIClient, workflow: Workflow, body: dict[str, Any]) -> None:
    response = call(api_client, "fulfillment-batch-add", {"workflow_id": workflow.public_id, **body})

    assert_error(response, 400, "VALIDATION_ERROR")
    assert Fulfillment.objects.count() == 0


def test_viewer_may_list_but_not_link(
    workspace: Workspace,
    api_client: APIClient,
    workflow: Workflow,
    passport: RequiredDocument,
    api_client_for: Callable[..., APIClient],
) -> None:
    viewer = api_client_for(workspace, role=Role.VIEWER)
    document_id = uploaded(api_client, workflow.subject_record)

    assert_error(batch_add(viewer, workflow, (passport.public_id, document_id)), 403, "PERMISSION_DENIED")
    assert call(viewer, "fulfillment-list", {"workflow_id": workflow.public_id}).status_code == 200
    assert Fulfillment.objects.count() == 0


# --- fulfillment.list ----------------------------------------------------------------------------


def test_fulfillment_list_filters_by_requirement_in_few_queries(
    api_client: APIClient,
    workflow: Workflow,
    passport: RequiredDocument,
    proof_of_address: RequiredDocument,
    django_assert_max_num_queries: Any,
) -> None:
    documents = [uploaded(api_client, workflow.subject_record) for _ in range(3)]
    batch_add(
        api_client, workflow, *[(passport.public_id, d) for d in documents], (proof_of_address.public_id, documents[0])
    )

    with django_assert_max_num_queries(4):
        everything = call(api_client, "fulfillment-list", {"workflow_id": workflow.public_id})
    only_address = call(
        api_client,
        "fulfillment-list",
        {"workflow_id": workflow.public_id, "required_document_id": proof_of_address.public_id},
    )

    assert len(everything.json()["data"]["fulfillments"]) == 4
    assert [item["document_id"] for item in only_address.json()["data"]["fulfillments"]] == [documents[0]]


def test_fulfillment_list_of_another_workspace_is_not_found(
    workflow: Workflow, other_workspace: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    response = call(api_client_for(other_workspace), "fulfillment-list", {"workflow_id": workflow.public_id})

    assert_error(response, 404, "WORKFLOW_NOT_FOUND")


# --- Decisions and completion --------------------------------------------------------------------


def decide(client: APIClient, fulfillment_id: str, decision: str, reason: str = "") -> Any:
    body = {"fulfillment_id": fulfillment_id, "decision_status": decision, "reason": reason}
    return call(client, "fulfillment-decide", body)


def test_decisions_drive_requirements_to_workflow_completion(
    workspace: Workspace,
    api_client: APIClient,
    owner: Any,
    owner_client: APIClient,
    workflow: Workflow,
    passport: RequiredDocument,
    proof_of_address: RequiredDocument,
) -> None:
    optional = RequiredDocumentFactory.create(workflow=workflow, category=RequiredDocumentCategory.OPTIONAL)
    blurry = uploaded(api_client, workflow.subject_record)
    statement = uploaded(api_client, workflow.subject_record)
    created = batch_add(api_client, workflow, (passport.public_id, blurry), (proof_of_address.public_id, statement))
    passport_fulfillment, address_fulfillment = (
        item["fulfillment_id"] for item in created.json()["data"]["fulfillments"]
    )

    # A rejection needs a reason, and records who decided and when.
    assert_error(decide(owner_client, passport_fulfillment, "REJECTED"), 400, "VALIDATION_ERROR")
    rejected = decide(owner_client, passport_fulfillment, "REJECTED", "Photo page is blurred")
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["data"]["fulfillment"]["decision_status"] == "REJECTED"
    assert rejected.json()["data"]["fulfillment"]["decision_reason"] == "Photo page is blurred"
    assert rejected.json()["data"]["required_document"]["required_document_status"] == "REJECTED"
    stored = Fulfillment.objects.get(public_id=passport_fulfillment)
    assert stored.decided_by == owner
    assert stored.decided_at is not None
    assert [h.decision_status for h in stored.history.order_by("history_date")] == ["PENDING", "REJECTED"]
    assert stored.history.latest().history_user == owner
    # A decision is final.
    assert_error(decide(owner_client, passport_fulfillment, "ACCEPTED"), 409, "FULFILLMENT_ALREADY_DECIDED")

    accepted = decide(api_client, address_fulfillment, "ACCEPTED")
    assert accepted.json()["data"]["required_document"]["required_document_status"] == "ACCEPTED"
    assert Fulfillment.objects.get(public_id=address_fulfillment).decided_by_api_key is not None

    # The passport is still REJECTED: the workflow cannot complete yet.
    details = assert_error(
        call(api_client, "workflow-complete", {"workflow_id": workflow.public_id}), 409, "REQUIREMENTS_OUTSTANDING"
    )
    assert details["required_document_ids"] == [passport.public_id]

    # A second passport: PENDING_REVIEW, then ACCEPTED. The OPTIONAL requirement never blocks.
    sharp = uploaded(api_client, workflow.subject_record)
    retry = batch_add(api_client, workflow, (passport.public_id, sharp)).json()["data"]["fulfillments"][0]
    assert statuses(workflow)[passport.public_id] == "PENDING_REVIEW"
    decide(owner_client, retry["fulfillment_id"], "ACCEPTED", "Clear")
    assert statuses(workflow) == {
        passport.public_id: "ACCEPTED",
        proof_of_address.public_id: "ACCEPTED",
        optional.public_id: "INACTIVE",
    }

    completed = call(owner_client, "workflow-complete", {"workflow_id": workflow.public_id})
    assert completed.status_code == 200, completed.content
    assert completed.json()["data"]["workflow"]["status"] == "COMPLETED"
    assert (
        call(api_client, "workflow-get", {"workflow_id": workflow.public_id}).json()["data"]["workflow"]["status"]
        == "COMPLETED"
    )

    # A completed workflow takes no more links, decisions or completions.
    assert_error(batch_add(api_client, workflow, (optional.public_id, sharp)), 409, "WORKFLOW_CLOSED")
    pending = Fulfillment.objects.create(
        required_document=optional, subject_document=SubjectRecordDocument.objects.get(public_id=sharp)
    )
    assert_error(decide(api_client, pending.public_id, "ACCEPTED"), 409, "WORKFLOW_CLOSED")
    assert_error(call(api_client, "workflow-complete", {"workflow_id": workflow.public_id}), 409, "WORKFLOW_CLOSED")


def test_decision_refusals(
    api_client: APIClient,
    workflow: Workflow,
    passport: RequiredDocument,
    other_workspace: Workspace,
    api_client_for: Callable[..., APIClient],
    workspace: Workspace,
) -> None:
    document_id = uploaded(api_client, workflow.subject_record)
    fulfillment_id = batch_add(api_client, workflow, (passport.public_id, document_id)).json()["data"]["fulfillments"][
        0
    ]["fulfillment_id"]

    assert_error(decide(api_client_for(other_workspace), fulfillment_id, "ACCEPTED"), 404, "FULFILLMENT_NOT_FOUND")
    assert_error(
        decide(api_client_for(workspace, role=Role.VIEWER), fulfillment_id, "ACCEPTED"), 403, "PERMISSION_DENIED"
    )
    assert_error(decide(api_client, fulfillment_id, "PENDING"), 400, "VALIDATION_ERROR")
    assert_error(decide(api_client, "f_unknown", "ACCEPTED"), 404, "FULFILLMENT_NOT_FOUND")
    assert Fulfillment.objects.get(public_id=fulfillment_id).decision_status == "PENDING"
    assert statuses(workflow)[passport.public_id] == "PENDING_REVIEW"


def test_a_workflow_without_blocking_requirements_completes(api_client: APIClient, workflow: Workflow) -> None:
    RequiredDocumentFactory.create(workflow=workflow, category=RequiredDocumentCategory.OPTIONAL)

    response = call(api_client, "workflow-complete", {"workflow_id": workflow.public_id})

    assert response.status_code == 200
    workflow.refresh_from_db()
    assert workflow.status == WorkflowStatus.COMPLETED
