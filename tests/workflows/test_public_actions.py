"""POST /v3/public/actions/{token} and /confirm, driven with the seed's own bodies and uploads."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from documents import s3
from documents.constants import DocumentStatus
from documents.models import Document
from submissions.models import Submission
from tests.storage_faults import refused_endpoint, s3_at
from tests.workflows.factories import SubjectRecordFactory
from tests.workflows.public_action_support import (
    PDF_BYTES,
    SEED_COMBINED_BODY,
    SEED_ROLE_ENTITY_BODY,
    SEED_ROOT_BODY,
    confirm_url,
    count_s3_calls,
    curl_upload,
    decode_policy,
    make_action,
    submit_url,
    upload_all,
)
from workflows.constants import PublicActionStatus, WorkflowStatus
from workflows.models import PublicAction, PublicActionFile, Relation, SubjectRecord, SubjectRecordDocument
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SIGNED_FIELD_ORDER = [
    "key",
    "Content-Type",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "Policy",
    "X-Amz-Signature",
]


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def snapshot() -> dict[str, Any]:
    """Everything a submission may write, to assert that a refused one wrote nothing."""
    return {
        "records": list(SubjectRecord.objects.order_by("pk").values_list("pk", "reference", "data")),
        "relations": Relation.objects.count(),
        "documents": list(Document.objects.order_by("pk").values_list("key", "status", "size")),
        "links": SubjectRecordDocument.objects.count(),
        "files": PublicActionFile.objects.count(),
        "submissions": Submission.objects.count(),
        "actions": list(PublicAction.objects.order_by("pk").values_list("status", "submitted_at")),
    }


# --- The seed's three examples -------------------------------------------------------------------


def test_root_level_example_answers_presigned_posts_exactly_as_the_seed(
    client: APIClient, workspace: Workspace, s3_endpoint: str
) -> None:
    action, token = make_action(workspace)
    root = action.workflow.subject_record

    response = client.post(submit_url(token), SEED_ROOT_BODY, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == ["status", "fileUploads"]
    assert body["status"] == "accepted"
    uploads = body["fileUploads"]
    assert [(u["fileName"], u["spektrDataField"]) for u in uploads] == [
        ("passport_scan.pdf", "id_document"),
        ("utility_bill.pdf", "proof_of_address"),
    ]
    for upload, name in zip(uploads, ["passport_scan.pdf", "utility_bill.pdf"], strict=True):
        assert list(upload) == ["fileName", "spektrDataField", "url", "fields"]  # no entityReference at root
        assert upload["url"] == f"{s3_endpoint}/{settings.AWS_STORAGE_BUCKET_NAME}"
        assert list(upload["fields"]) == SIGNED_FIELD_ORDER
        assert upload["fields"]["key"] == f"{workspace.public_id}/endClient/{root.public_id}/{name}"
        assert upload["fields"]["Content-Type"] == "application/pdf"
        assert upload["fields"]["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
        policy = decode_policy(upload["fields"])
        conditions = policy["conditions"]
        assert ["content-length-range", 1, 15 * 1024 * 1024] in conditions
        assert ["eq", "$key", upload["fields"]["key"]] in conditions
        assert ["eq", "$Content-Type", "application/pdf"] in conditions
        expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        assert timedelta(minutes=59) < expiration - timezone.now() <= timedelta(hours=1)

    action.refresh_from_db()
    assert action.status == PublicActionStatus.AWAITING_UPLOADS
    root.refresh_from_db()
    assert root.data["first_name"] == "John"
    assert root.data["date_of_birth"] == "1985-03-15"
    links = {link.field_name: link for link in root.documents.select_related("document")}
    assert root.data["id_document"] == links["id_document"].public_id
    assert links["id_document"].public_id.startswith("d_")
    assert {link.document.status for link in links.values()} == {DocumentStatus.AWAITING_UPLOAD}
    assert action.workflow.status == WorkflowStatus.WAITING_FOR_CLIENT


def test_role_entity_example_creates_records_relations_and_entity_uploads(
    client: APIClient, workspace: Workspace
) -> None:
    action, token = make_action(workspace)
    root = action.workflow.subject_record

    response = client.post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    company = SubjectRecord.objects.get(workspace=workspace, reference="company_reference_id_1")
    owner = SubjectRecord.objects.get(workspace=workspace, reference="owner_reference_id_1")
    assert (company.customer_type, owner.customer_type) == ("company", "individual")
    assert company.data["company_name"] == "Acme Corporation"
    assert owner.data["last_name"] == "Smith"
    uploads = body["fileUploads"]
    assert [list(u) for u in uploads] == [["entityReference", "fileName", "spektrDataField", "url", "fields"]] * 2
    assert [(u["entityReference"], u["fileName"], u["spektrDataField"]) for u in uploads] == [
        ("company_reference_id_1", "registration_certificate.pdf", "company_document"),
        ("owner_reference_id_1", "passport_scan.pdf", "id_document"),
    ]
    assert uploads[0]["fields"]["key"] == (
        f"{workspace.public_id}/endClient/{company.public_id}/registration_certificate.pdf"
    )
    assert uploads[1]["fields"]["key"] == f"{workspace.public_id}/endClient/{owner.public_id}/passport_scan.pdf"
    relations = {(r.from_record_id, r.to_record_id, r.role, r.ownership_percentage) for r in Relation.objects.all()}
    assert relations == {(company.pk, root.pk, "owner", None), (owner.pk, company.pk, "ubo", Decimal("75.00"))}


def test_combined_example_mixes_root_and_entity_files(client: APIClient, workspace: Workspace) -> None:
    action, token = make_action(workspace)

    response = client.post(submit_url(token), SEED_COMBINED_BODY, format="json")

    assert response.status_code == 200, response.content
    uploads = response.json()["fileUploads"]
    assert "entityReference" not in uploads[0]
    assert (uploads[0]["fileName"], uploads[0]["spektrDataField"]) == ("main_registration.pdf", "company_document")
    assert (uploads[1]["entityReference"], uploads[1]["fileName"]) == ("director_ref_1", "director_passport.pdf")
    director = SubjectRecord.objects.get(reference="director_ref_1")
    assert Relation.objects.get().role == "director"
    assert Relation.objects.get().from_record == director
    # The submission keeps the body as sent (file names, entities, relations), marked as a public action's.
    action.refresh_from_db()
    submission = Submission.objects.get()
    assert action.submission == submission
    assert submission.form_version == action.form_version
    assert submission.workspace == workspace
    assert submission.data == SEED_COMBINED_BODY
    assert submission.metadata["source"] == "public_action"
    assert submission.metadata["public_action_id"] == action.public_id


def test_full_flow_with_curl_uploads_then_confirm_completes(
    client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    action, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_COMBINED_BODY, format="json").json()["fileUploads"]

    upload_all(uploads, tmp_path)
    response = client.post(confirm_url(token))

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "completed"}
    action.refresh_from_db()
    assert action.status == PublicActionStatus.COMPLETED
    assert action.completed_at is not None
    assert action.workflow.status == WorkflowStatus.IN_REVIEW
    documents = Document.objects.filter(subject_link__public_action_file__action=action)
    assert {d.status for d in documents} == {DocumentStatus.UPLOADED}
    assert {d.size for d in documents} == {len(PDF_BYTES)}

    # Confirm is idempotent; the used link takes no second submission.
    again = client.post(confirm_url(token))
    assert (again.status_code, again.json()) == (200, {"status": "completed"})
    resubmit = client.post(submit_url(token), SEED_ROOT_BODY, format="json")
    assert resubmit.status_code == 401
    assert resubmit.json()["code"] == "INVALID_TOKEN"


def test_no_files_completes_at_once_and_moves_the_workflow_on(client: APIClient, workspace: Workspace) -> None:
    action, token = make_action(workspace)
    body = {"first_name": "John", "last_name": "Smith"}

    response = client.post(submit_url(token), body, format="json")

    assert (response.status_code, response.json()) == (200, {"status": "completed"})
    action.refresh_from_db()
    assert action.status == PublicActionStatus.COMPLETED
    assert action.workflow.status == WorkflowStatus.IN_REVIEW
    assert client.post(confirm_url(token)).json() == {"status": "completed"}


def test_completing_leaves_a_workflow_already_in_review_as_it_is(client: APIClient, workspace: Workspace) -> None:
    """A second link on a workflow a reviewer already looks at completes without touching the workflow."""
    first, first_token = make_action(workspace)
    assert client.post(submit_url(first_token), {"first_name": "John"}, format="json").status_code == 200
    workflow = first.workflow
    workflow.refresh_from_db()
    history_before = workflow.history.count()
    updated_before = workflow.updated_at
    action, token = make_action(workspace, workflow=workflow)

    response = client.post(submit_url(token), {"first_name": "Jane", "last_name": "Doe"}, format="json")

    assert (response.status_code, response.json()) == (200, {"status": "completed"})
    action.refresh_from_db()
    assert action.status == PublicActionStatus.COMPLETED
    assert action.history.filter(status=PublicActionStatus.COMPLETED).count() == 1
    workflow.refresh_from_db()
    assert (workflow.status, workflow.updated_at) == (WorkflowStatus.IN_REVIEW, updated_before)
    assert workflow.history.count() == history_before


# --- Confirm -------------------------------------------------------------------------------------


def test_confirm_with_no_files_uploaded_reissues_every_file(client: APIClient, workspace: Workspace) -> None:
    action, token = make_action(workspace)
    first = client.post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json").json()["fileUploads"]

    with count_s3_calls() as calls:
        response = client.post(confirm_url(token))

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "pending"
    assert [(u["entityReference"], u["fileName"]) for u in body["fileUploads"]] == [
        (u["entityReference"], u["fileName"]) for u in first
    ]
    assert [u["fields"]["key"] for u in body["fileUploads"]] == [u["fields"]["key"] for u in first]
    # Two records, one listing each; a missing file costs no GET.
    assert calls == {"ListObjectsV2": 2}
    action.refresh_from_db()
    assert action.status == PublicActionStatus.AWAITING_UPLOADS


def test_confirm_with_some_files_reissues_exactly_the_missing_ones(
    client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    action, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_COMBINED_BODY, format="json").json()["fileUploads"]
    upload_all(uploads[:1], tmp_path)

    with count_s3_calls() as calls:
        response = client.post(confirm_url(token))

    assert response.status_code == 409
    pending = response.json()["fileUploads"]
    assert [(u["entityReference"], u["fileName"], u["spektrDataField"]) for u in pending] == [
        ("director_ref_1", "director_passport.pdf", "id_document")
    ]
    # The accepted file is copied to its final key and its upload deleted.
    assert calls == {"ListObjectsV2": 2, "GetObject": 1, "CopyObject": 1, "DeleteObject": 1}
    assert [u["reason"] for u in pending] == ["not_received"]

    upload_all(pending, tmp_path)
    with count_s3_calls() as calls:
        done = client.post(confirm_url(token))
    assert (done.status_code, done.json()) == (200, {"status": "completed"})
    # The accepted file is not read again: one listing and one ranged GET for the new one, then its copy.
    assert calls == {"ListObjectsV2": 1, "GetObject": 1, "CopyObject": 1, "DeleteObject": 1}


def test_confirm_lists_each_record_once_and_reads_only_first_bytes(
    client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    action, token = make_action(workspace)
    body = {
        "role-entity": [
            {
                "reference": f"person-{i}",
                "customer_type": "individual",
                "first_name": "A",
                "last_name": f"B{i}",
                "id_document": f"passport-{i}.pdf",
            }
            for i in range(3)
        ],
        "id_document": "root-passport.pdf",
        "proof_of_address": "root-bill.pdf",
    }
    uploads = client.post(submit_url(token), body, format="json").json()["fileUploads"]
    assert len(uploads) == 5
    upload_all(uploads, tmp_path, content=PDF_BYTES + b"x" * 200_000)

    with count_s3_calls() as calls:
        response = client.post(confirm_url(token))

    assert response.status_code == 200, response.content
    assert calls == {"ListObjectsV2": 4, "GetObject": 5, "CopyObject": 5, "DeleteObject": 5}


def test_wrong_type_upload_is_rejected_deleted_and_reissued(
    client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    action, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    upload_all(uploads[:1], tmp_path)
    upload_all(uploads[1:], tmp_path, content=b"MZ\x90\x00 this is not a pdf")  # an executable named .pdf

    response = client.post(confirm_url(token))

    assert response.status_code == 409
    pending = response.json()["fileUploads"]
    assert [u["fileName"] for u in pending] == ["utility_bill.pdf"]
    assert s3.head_object(pending[0]["fields"]["key"]) is None  # the rejected object was deleted
    rejected = Document.objects.get(key=pending[0]["fields"]["key"])
    assert rejected.status == DocumentStatus.AWAITING_UPLOAD  # re-issued
    assert any(h.status == DocumentStatus.REJECTED for h in rejected.history.all())
    assert pending[0]["reason"] == "content_check_failed"
    # The reason survives the re-issue: a second confirm without a new upload still says why.
    assert client.post(confirm_url(token)).json()["fileUploads"][0]["reason"] == "content_check_failed"

    upload_all(pending, tmp_path)
    done = client.post(confirm_url(token))
    assert (done.status_code, done.json()) == (200, {"status": "completed"})


def test_confirm_before_submission_is_refused(client: APIClient, workspace: Workspace) -> None:
    _, token = make_action(workspace)

    response = client.post(confirm_url(token))

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_second_submission_while_awaiting_uploads_is_a_conflict(client: APIClient, workspace: Workspace) -> None:
    _, token = make_action(workspace)
    client.post(submit_url(token), SEED_ROOT_BODY, format="json")
    before = snapshot()

    response = client.post(submit_url(token), SEED_ROOT_BODY, format="json")

    assert response.status_code == 409
    assert snapshot() == before


# --- Tokens --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["submit", "confirm"])
@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 300])
def test_unknown_token_is_401(client: APIClient, workspace: Workspace, path: str, token: str) -> None:
    make_action(workspace)
    url = submit_url(token) if path == "submit" else confirm_url(token)

    response = client.post(url, SEED_ROOT_BODY, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": "The link is invalid or has expired.",
        "code": "INVALID_TOKEN",
        "details": {},
    }


def test_expired_token_is_401_and_writes_nothing(client: APIClient, workspace: Workspace) -> None:
    action, token = make_action(workspace, expires_in_days=1)
    PublicAction.objects.filter(pk=action.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = snapshot()

    response = client.post(submit_url(token), SEED_ROOT_BODY, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"
    assert snapshot() == before
    assert client.post(confirm_url(token)).status_code == 401


def test_default_expiry_is_the_configured_ttl(workspace: Workspace) -> None:
    action, _ = make_action(workspace)

    expected = timezone.now() + timedelta(days=settings.PUBLIC_ACTION_TTL_DAYS)
    assert abs((action.expires_at - expected).total_seconds()) < 60


def test_token_is_stored_hashed(workspace: Workspace) -> None:
    action, token = make_action(workspace)

    stored = PublicAction.objects.filter(pk=action.pk).values_list("token_hash", flat=True).get()
    assert token not in stored
    assert len(stored) == 64
    assert not PublicAction.objects.filter(token_hash=token).exists()


# --- Validation: 400 and nothing written --------------------------------------------------------


def _entity(reference: str, customer_type: str = "individual", **fields: Any) -> dict[str, Any]:
    base = {"first_name": "A", "last_name": "B"} if customer_type == "individual" else {"company_name": "C"}
    return {"reference": reference, "customer_type": customer_type, **base, **fields}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"unknown_field": "x"}, "unknown_field"),
        ({"date_of_birth": "15/03/1985"}, "date_of_birth"),
        ({"id_document": "malware.exe"}, "id_document"),
        ({"id_document": 42}, "id_document"),
        ({"has_trading_name": True}, "trading_name"),  # required once shown
        ({"has_trading_name": True, "trading_name": "T", "trading_licence": "licence.png"}, "trading_licence"),
        ({"role-entity": [_entity("p1", last_name=None)]}, "role-entity[0].last_name"),
        ({"role-entity": [_entity("p1", customer_type="trust")]}, "role-entity[0].customer_type"),
        ({"role-entity": [_entity("p1", nickname="x")]}, "role-entity[0].nickname"),
        (
            {"role-entity": [{"customer_type": "individual", "first_name": "A", "last_name": "B"}]},
            "role-entity[0].reference",
        ),
        ({"role-entity": [_entity("root")]}, "role-entity[0].reference"),
        ({"role-entity": [_entity("c1", "company", company_document="deed.docx")]}, "role-entity[0].company_document"),
        ({"role-entity": "not a list"}, "role-entity"),
        ({"role-entity": ["not an object"]}, "role-entity[0]"),
        ({"role-entity_relations": {"from": "root"}}, "role-entity_relations"),
    ],
)
def test_invalid_body_is_400_and_writes_nothing(
    client: APIClient, workspace: Workspace, body: dict[str, Any], path: str
) -> None:
    action, token = make_action(workspace)
    before = snapshot()

    response = client.post(submit_url(token), body, format="json")

    assert response.status_code == 400, response.content
    error = response.json()
    assert error["success"] is False
    assert error["code"] == "VALIDATION_ERROR"
    assert path in error["details"]["fields"], error
    assert snapshot() == before


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "{not json"])
def test_a_body_that_is_not_an_object_is_400(client: APIClient, workspace: Workspace, raw: str) -> None:
    _, token = make_action(workspace)

    response = client.generic("POST", submit_url(token), raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_shape_and_data_problems_are_answered_together(client: APIClient, workspace: Workspace) -> None:
    """The body's shape (a relation to nobody) and its data against the forms (a bad date) fail in one 400."""
    _, token = make_action(workspace)
    body = {
        "date_of_birth": "15/03/1985",
        "role-entity": [_entity("p1", date_of_birth="yesterday")],
        "role-entity_relations": [{"from": "nobody", "to": "root", "role": "owner"}],
    }

    response = client.post(submit_url(token), body, format="json")

    assert response.status_code == 400
    fields = response.json()["details"]["fields"]
    assert {"date_of_birth", "role-entity[0].date_of_birth", "role-entity_relations[0].from"} <= set(fields)


def test_the_links_state_is_checked_before_the_body(client: APIClient, workspace: Workspace) -> None:
    """A link already submitted answers 409 whatever the body: the client is told to confirm, not to fix it."""
    _, token = make_action(workspace)
    assert client.post(submit_url(token), SEED_ROOT_BODY, format="json").status_code == 200

    response = client.generic("POST", submit_url(token), "[1, 2]", content_type="application/json")

    assert response.status_code == 409
    assert response.json()["code"] == "PUBLIC_ACTION_STATE"


def test_conditional_fields_hidden_values_are_stripped_and_get_no_upload(
    client: APIClient, workspace: Workspace
) -> None:
    action, token = make_action(workspace)
    body = {"first_name": "J", "has_trading_name": False, "trading_name": "Ghost", "trading_licence": "l.pdf"}

    response = client.post(submit_url(token), body, format="json")

    assert (response.status_code, response.json()) == (200, {"status": "completed"})
    root = action.workflow.subject_record
    root.refresh_from_db()
    assert "trading_name" not in root.data
    assert "trading_licence" not in root.data
    assert not Document.objects.exists()


def test_conditional_file_shown_gets_an_upload(client: APIClient, workspace: Workspace) -> None:
    _, token = make_action(workspace)
    body = {"has_trading_name": True, "trading_name": "Acme Trading", "trading_licence": "licence.pdf"}

    response = client.post(submit_url(token), body, format="json")

    assert response.status_code == 200
    assert [u["spektrDataField"] for u in response.json()["fileUploads"]] == ["trading_licence"]


def test_strings_are_sanitised_before_they_are_stored(client: APIClient, workspace: Workspace) -> None:
    action, token = make_action(workspace)
    body = {"first_name": "<script>alert(1)</script>John", "role-entity": [_entity("p1", last_name="<b>Doe</b>")]}

    assert client.post(submit_url(token), body, format="json").status_code == 200

    root = action.workflow.subject_record
    root.refresh_from_db()
    assert root.data["first_name"] == "John"
    assert SubjectRecord.objects.get(reference="p1").data["last_name"] == "Doe"


# --- References ----------------------------------------------------------------------------------


def test_duplicate_reference_within_one_request_is_400(client: APIClient, workspace: Workspace) -> None:
    _, token = make_action(workspace)
    body = {"role-entity": [_entity("same-ref"), _entity("same-ref", "company")]}
    before = snapshot()

    response = client.post(submit_url(token), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "DUPLICATE_REFERENCE"
    assert response.json()["details"] == {"references": ["same-ref"]}
    assert "same-ref" in response.json()["error"]
    assert snapshot() == before


def test_reference_of_an_existing_record_is_400(client: APIClient, workspace: Workspace) -> None:
    SubjectRecordFactory(workspace=workspace, reference="owner_reference_id_1")
    _, token = make_action(workspace)
    before = snapshot()

    response = client.post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "DUPLICATE_REFERENCE"
    assert response.json()["details"] == {"references": ["owner_reference_id_1"]}
    assert snapshot() == before


def test_reference_used_in_another_workspace_is_fine(
    client: APIClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    SubjectRecordFactory(workspace=other_workspace, reference="owner_reference_id_1")
    _, token = make_action(workspace)

    response = client.post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json")

    assert response.status_code == 200


def test_reference_submitted_by_an_earlier_action_is_400(client: APIClient, workspace: Workspace) -> None:
    _, first = make_action(workspace)
    _, second = make_action(workspace)
    assert client.post(submit_url(first), SEED_COMBINED_BODY, format="json").status_code == 200

    response = client.post(submit_url(second), SEED_COMBINED_BODY, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "DUPLICATE_REFERENCE"


# --- Relations -----------------------------------------------------------------------------------


def _relations_body(*relations: dict[str, Any]) -> dict[str, Any]:
    return {
        "role-entity": [_entity("co", "company"), _entity("p1"), _entity("p2")],
        "role-entity_relations": list(relations),
    }


@pytest.mark.parametrize(
    ("relations", "path"),
    [
        ([{"from": "nobody", "to": "root", "role": "owner"}], "role-entity_relations[0].from"),
        ([{"from": "p1", "to": "elsewhere", "role": "owner"}], "role-entity_relations[0].to"),
        ([{"from": "p1", "to": "p1", "role": "owner"}], "role-entity_relations[0]"),
        (
            [{"from": "p1", "to": "co", "role": "ubo"}, {"from": "p1", "to": "co", "role": "ubo"}],
            "role-entity_relations[1]",
        ),
        (
            [
                {"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": 60},
                {"from": "p2", "to": "co", "role": "ubo", "ownership_percentage": 40.01},
            ],
            "role-entity_relations[1]",
        ),
        (
            [{"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": 101}],
            "role-entity_relations[0].ownership_percentage",
        ),
        (
            [{"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": -1}],
            "role-entity_relations[0].ownership_percentage",
        ),
        (
            [{"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": True}],
            "role-entity_relations[0].ownership_percentage",
        ),
        (
            [{"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": 33.333}],
            "role-entity_relations[0].ownership_percentage",
        ),
        (
            [{"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": "1e2"}],  # a string is not a share
            "role-entity_relations[0].ownership_percentage",
        ),
        (
            [  # a circle of ownership, A -> B -> C -> A at 60% each
                {"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": 60},
                {"from": "co", "to": "p2", "role": "ubo", "ownership_percentage": 60},
                {"from": "p2", "to": "p1", "role": "ubo", "ownership_percentage": 60},
            ],
            "role-entity_relations",
        ),
        (
            [{"from": "p1", "to": "co", "role": "owner"}, {"from": "co", "to": "p1", "role": "shareholder"}],
            "role-entity_relations",
        ),
        ([{"from": "p1", "to": "co", "role": "Chief <b>"}], "role-entity_relations[0].role"),
        ([{"from": "p1", "to": "co"}], "role-entity_relations[0].role"),
        ([{"from": "p1", "to": "co", "role": "ubo", "weight": 1}], "role-entity_relations[0].weight"),
        (["p1->co"], "role-entity_relations[0]"),
    ],
)
def test_invalid_relations_are_400_and_write_nothing(
    client: APIClient, workspace: Workspace, relations: list[Any], path: str
) -> None:
    _, token = make_action(workspace)
    before = snapshot()

    response = client.post(submit_url(token), _relations_body(*relations), format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert path in response.json()["details"]["fields"]
    assert snapshot() == before


def test_valid_relations_including_custom_roles_and_full_ownership(client: APIClient, workspace: Workspace) -> None:
    _, token = make_action(workspace)
    body = _relations_body(
        {"from": "p1", "to": "co", "role": "ubo", "ownership_percentage": 60},
        {"from": "p2", "to": "co", "role": "ubo", "ownership_percentage": 40},
        {"from": "p1", "to": "co", "role": "director"},  # same pair, another role
        {"from": "co", "to": "root", "role": "shareholder", "ownership_percentage": 100},
        {"from": "root", "to": "p2", "role": "trustee_of"},  # a workspace's own role
    )

    response = client.post(submit_url(token), body, format="json")

    assert response.status_code == 200, response.content
    assert Relation.objects.count() == 5
    shares = Relation.objects.exclude(ownership_percentage=None).values_list("ownership_percentage", flat=True)
    assert sorted(share for share in shares if share is not None) == [Decimal("40"), Decimal("60"), Decimal("100")]


# --- File names and keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\boot.pdf",
        "a\x01b.pdf",  # a NUL is refused before (tests/test_hostile_input.py)
        "x" * 251 + ".pdf",
        "Überweisung März 🚀.pdf",
        "report.PDF",
        " spaced name .pdf",
        "/absolute/path.pdf",
    ],
)
def test_hostile_file_names_give_safe_single_segment_keys(client: APIClient, workspace: Workspace, name: str) -> None:
    action, token = make_action(workspace)
    root = action.workflow.subject_record

    response = client.post(submit_url(token), {"id_document": name}, format="json")

    assert response.status_code == 200, response.content
    upload = response.json()["fileUploads"][0]
    assert "\x00" not in upload["fileName"]
    assert upload["fileName"] == Document.objects.get().original_name
    if name.isprintable() and name == name.strip():
        assert upload["fileName"] == name[:255]
    prefix = f"{workspace.public_id}/endClient/{root.public_id}/"
    key = upload["fields"]["key"]
    assert key.startswith(prefix)
    segment = key[len(prefix) :]
    assert "/" not in segment and "\\" not in segment and ".." not in segment
    assert segment.isascii() and segment.isprintable()
    assert len(segment) <= 100
    assert segment.endswith(".pdf")


def test_two_files_with_one_name_never_share_a_key(client: APIClient, workspace: Workspace) -> None:
    _, first = make_action(workspace)
    action, second = make_action(workspace, workflow=PublicAction.objects.get().workflow)
    body = {"id_document": "scan.pdf", "proof_of_address": "scan.pdf"}

    keys = [u["fields"]["key"] for u in client.post(submit_url(first), body, format="json").json()["fileUploads"]]
    keys += [u["fields"]["key"] for u in client.post(submit_url(second), body, format="json").json()["fileUploads"]]

    assert len(set(keys)) == 4
    assert [k.rsplit("/", 1)[1] for k in keys] == ["scan.pdf", "scan-2.pdf", "scan-3.pdf", "scan-4.pdf"]


def test_keys_of_other_records_with_a_similar_id_do_not_count_as_taken(client: APIClient, workspace: Workspace) -> None:
    """Only keys under the root's own prefix are taken: not one of a record whose id differs in case or length."""
    action, token = make_action(workspace)
    root_id = action.workflow.subject_record.public_id
    for other_id in (root_id.upper(), root_id.lower(), root_id + "0", root_id + "a"):
        if other_id != root_id:
            Document.objects.create(
                workspace=workspace,
                key=f"{workspace.public_id}/endClient/{other_id}/scan.pdf",
                original_name="scan.pdf",
                sanitized_name="scan.pdf",
                content_type="application/pdf",
                max_size=1024,
                upload_expires_at=timezone.now(),
            )

    uploads = client.post(submit_url(token), {"id_document": "scan.pdf"}, format="json").json()["fileUploads"]

    assert uploads[0]["fields"]["key"] == f"{workspace.public_id}/endClient/{root_id}/scan.pdf"


def test_upload_files_with_the_seed_curl_command(client: APIClient, workspace: Workspace, tmp_path: Path) -> None:
    _, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    path = tmp_path / "passport_scan.pdf"
    path.write_bytes(PDF_BYTES)

    assert curl_upload(uploads[0], path) == 204

    info = s3.head_object(uploads[0]["fields"]["key"])
    assert info is not None
    assert info.size == len(PDF_BYTES)
    assert info.content_type == "application/pdf"


# --- Atomicity -----------------------------------------------------------------------------------


def test_a_failure_while_writing_rolls_everything_back(
    client: APIClient, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second file's signing fails after records, relations and the first document were written."""
    from config.errors import ApplicationError

    _, token = make_action(workspace)
    real_sign = s3.sign_post
    calls = {"count": 0}

    def failing_sign(**kwargs: Any) -> s3.PresignedPost:
        calls["count"] += 1
        if calls["count"] == 2:
            raise ApplicationError("Signing is unavailable.", code="SIGNING_FAILED", http_status=400)
        return real_sign(**kwargs)

    monkeypatch.setattr(s3, "sign_post", failing_sign)
    before = snapshot()

    response = client.post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "SIGNING_FAILED"
    assert calls["count"] == 2
    assert snapshot() == before
    monkeypatch.setattr(s3, "sign_post", real_sign)
    assert client.post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json").status_code == 200


def test_s3_outage_during_confirm_is_a_503_in_the_error_shape_and_a_retry_succeeds(
    client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    """S3 refusing connections: STORAGE_UNAVAILABLE with Retry-After, nothing changes, and the retry succeeds."""
    action, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    upload_all(uploads, tmp_path)
    before = snapshot()

    with s3_at(refused_endpoint()):
        response = client.post(confirm_url(token))

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.STORAGE_RETRY_AFTER_SECONDS)
    assert response.json()["success"] is False
    assert response.json()["code"] == "STORAGE_UNAVAILABLE"
    assert snapshot() == before
    retry = client.post(confirm_url(token))
    assert (retry.status_code, retry.json()) == (200, {"status": "completed"})
