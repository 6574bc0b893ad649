"""The public action writes in bulk: the query counts of submit and confirm do not grow with the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from documents.constants import DocumentStatus
from documents.models import Document
from tests.workflows.public_action_support import PDF_BYTES, confirm_url, make_action, submit_url, upload_all
from workflows.models import PublicActionFile, Relation, SubjectRecord, SubjectRecordDocument
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

# Reads: the action with its root record (locked), its form versions, the reference check, the root's keys.
# Writes, one statement each on PostgreSQL (the INSERT or UPDATE and its history rows together; two elsewhere):
# entity records (in a savepoint), relations, the root's update, documents, document links, the submission, the
# action's update; and the action's files (no history). In a test the request's transaction is a savepoint.
# Before the view, the rate limits' one upsert (ratelimits). And the webhook endpoints that might want
# submission.created (the outbox: one SELECT when none does).
SUBMIT_QUERIES = {"postgresql": 18, "sqlite": 25}


def _body(entities: int) -> dict[str, Any]:
    """Two root files, and ``entities`` people with one file each, every one related to the root."""
    people = [
        {
            "reference": f"person-{n}",
            "customer_type": "individual",
            "first_name": "Jane",
            "last_name": f"Doe {n}",
            "id_document": f"passport-{n}.pdf",
        }
        for n in range(entities)
    ]
    return {
        "first_name": "John",
        "id_document": "passport_scan.pdf",
        "proof_of_address": "utility_bill.pdf",
        "role-entity": people,
        "role-entity_relations": [
            {"from": person["reference"], "to": "root", "role": "ubo", "ownership_percentage": 1} for person in people
        ],
    }


@pytest.mark.parametrize("entities", [2, 20])
def test_submit_query_count_does_not_grow_with_the_entities(
    workspace: Workspace, django_assert_num_queries: Any, entities: int
) -> None:
    _, token = make_action(workspace)

    with django_assert_num_queries(SUBMIT_QUERIES[connection.vendor]):
        response = APIClient().post(submit_url(token), _body(entities), format="json")

    assert response.status_code == 200, response.content
    assert len(response.json()["fileUploads"]) == entities + 2
    assert SubjectRecord.objects.filter(reference__startswith="person-").count() == entities
    assert Relation.objects.count() == entities
    assert Document.objects.count() == SubjectRecordDocument.objects.count() == PublicActionFile.objects.count()
    assert Document.objects.count() == entities + 2


def test_bulk_writes_keep_one_history_row_per_created_row(workspace: Workspace) -> None:
    """Every record, relation, document and link is created once, with its final data, and history says so."""
    _, token = make_action(workspace)

    answer = APIClient().post(submit_url(token), _body(3), format="json").json()

    for model in (Relation, Document, SubjectRecordDocument):
        rows = model.objects.all()
        assert rows.count() == 3 + (2 if model is not Relation else 0)
        history = model.history.all()
        assert sorted(h.id for h in history) == sorted(row.pk for row in rows)
        assert {h.history_type for h in history} == {"+"}
    for person in SubjectRecord.objects.filter(reference__startswith="person-"):
        (created,) = person.history.all()
        assert created.history_type == "+"
        link = SubjectRecordDocument.objects.get(subject_record=person)
        assert created.data["id_document"] == person.data["id_document"] == link.public_id
    by_key = {upload["fields"]["key"]: upload for upload in answer["fileUploads"]}
    for link in SubjectRecordDocument.objects.select_related("document", "subject_record"):
        upload = by_key[link.document.key]
        assert upload["spektrDataField"] == link.field_name
        is_person = link.subject_record.reference.startswith("person-")
        assert upload.get("entityReference") == (link.subject_record.reference if is_person else None)


# The action and its files with their documents, read before S3 is; the public ids of their workspaces (for the
# final keys); the documents locked and read again, one UPDATE of the verified ones and one INSERT of their history
# rows (their own transaction: a savepoint in a test); then the action locked and read again, the statuses of the
# files to re-issue read again, one UPDATE of the re-issued ones and one INSERT of history rows for those whose
# status changed (rejected -> awaiting; a file still missing gets none). And, before the view, the rate limits' upsert;
# and the webhook endpoints that might want document.accepted / rejected (one SELECT when none does).
CONFIRM_PENDING_QUERIES = 16
# No file to re-issue (nothing read again); completing updates the action and (if it waited) the workflow, each
# with its history row: one statement each on PostgreSQL, two elsewhere. The outbox asks twice whether an endpoint
# wants the events (document.accepted, public_action.completed).
CONFIRM_COMPLETED_QUERIES = {"postgresql": 16, "sqlite": 18}
NOT_A_PDF = b"MZ\x90\x00 an executable named .pdf"


def _submit(token: str, entities: int) -> list[dict[str, Any]]:
    response = APIClient().post(submit_url(token), _body(entities), format="json")
    assert response.status_code == 200, response.content
    return list(response.json()["fileUploads"])


def _confirm(token: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().post(confirm_url(token))
    return response, len(queries.captured_queries)


def _statuses(upload: dict[str, Any]) -> list[tuple[str, str]]:
    """The history of an upload's document, oldest first: (history type, status)."""
    document = Document.objects.get(key=upload["fields"]["key"])
    return [(row.history_type, row.status) for row in document.history.order_by("history_id")]


@pytest.mark.parametrize("entities", [0, 8])
def test_confirm_query_count_does_not_grow_with_the_files(workspace: Workspace, tmp_path: Path, entities: int) -> None:
    """2 files: one valid, one an executable named .pdf. 10 files: 5 valid, 1 executable, 4 never uploaded."""
    _, token = make_action(workspace)
    uploads = _submit(token, entities)
    valid, wrong, missing = uploads[: len(uploads) // 2], uploads[len(uploads) // 2], uploads[len(uploads) // 2 + 1 :]
    upload_all(valid, tmp_path)
    upload_all([wrong], tmp_path, content=NOT_A_PDF)

    response, queries = _confirm(token)

    assert response.status_code == 409, response.content
    assert queries == CONFIRM_PENDING_QUERIES
    again = response.json()["fileUploads"]
    assert [u["fields"]["key"] for u in again] == [u["fields"]["key"] for u in [wrong, *missing]]
    awaiting, uploaded = DocumentStatus.AWAITING_UPLOAD, DocumentStatus.UPLOADED
    for upload in valid:
        assert _statuses(upload) == [("+", awaiting), ("~", uploaded)]
    assert _statuses(wrong) == [("+", awaiting), ("~", DocumentStatus.REJECTED), ("~", awaiting)]
    for upload in missing:  # re-issuing a missing file writes no history row
        assert _statuses(upload) == [("+", awaiting)]


@pytest.mark.parametrize("entities", [0, 8])
def test_confirm_that_completes_takes_as_many_queries_for_2_files_as_for_10(
    workspace: Workspace, tmp_path: Path, entities: int
) -> None:
    _, token = make_action(workspace)
    uploads = _submit(token, entities)
    upload_all(uploads, tmp_path)

    response, queries = _confirm(token)

    assert (response.status_code, response.json()) == (200, {"status": "completed"})
    assert queries == CONFIRM_COMPLETED_QUERIES[connection.vendor]
    for upload in uploads:
        assert _statuses(upload) == [("+", DocumentStatus.AWAITING_UPLOAD), ("~", DocumentStatus.UPLOADED)]
    sizes = Document.objects.filter(key__in=[u["fields"]["key"] for u in uploads]).values_list("size", flat=True)
    assert set(sizes) == {len(PDF_BYTES)}


def test_updates_and_the_submission_write_their_history_with_the_stored_values(
    workspace: Workspace, api_client: APIClient
) -> None:
    """The root's update, the action's and the new submission each get one history row holding what was stored."""
    action, token = make_action(workspace)

    response = APIClient().post(submit_url(token), _body(1), format="json")

    assert response.status_code == 200, response.content
    action.refresh_from_db()
    root = action.workflow.subject_record
    root.refresh_from_db()
    changed = root.history.filter(history_type="~").get()
    assert changed.data == root.data and changed.data["id_document"].startswith("d_")
    assert changed.updated_at == root.updated_at
    assert [row.status for row in action.history.filter(history_type="~")] == ["AWAITING_UPLOADS"]
    assert action.history.filter(history_type="~").get().submission_id == action.submission_id
    submission = action.submission
    assert submission is not None
    submission_id = submission.public_id
    events = api_client.get(f"/api/submissions/{submission_id}/history").json()["events"]
    assert [(e["type"], e["trigger"], e["version"]) for e in events] == [("snapshot", "create", 1)]
    first = api_client.get(f"/api/submissions/{submission_id}/snapshots/{events[0]['snapshotId']}").json()
    assert first["data"] == submission.data
    assert first["data"]["id_document"] == "passport_scan.pdf"
