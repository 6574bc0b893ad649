"""A public action whose forms have file fields inside repeatable sections: uploads issued, confirmed, linked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from documents.constants import DocumentStatus
from documents.models import Document
from submissions.models import Submission
from tests.workflows.factories import SubjectRecordFactory, WorkflowFactory
from tests.workflows.public_action_support import (
    PDF_BYTES,
    confirm_url,
    decode_policy,
    form_version,
    submit_url,
    upload_all,
)
from workflows.constants import CustomerType, PublicActionStatus
from workflows.models import PublicAction, SubjectRecord, SubjectRecordDocument
from workflows.services.public_actions import public_action_create
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

ROOT_SCHEMA: dict[str, Any] = {
    "fields": [{"key": "company_name", "label": "Company name", "type": "text", "required": True}],
    "sections": [
        {
            "id": "directors",
            "title": "Directors",
            "repeatable": True,
            "fields": [
                {"key": "director_name", "label": "Name", "type": "text", "required": True},
                {"key": "director_id", "label": "ID document", "type": "file", "constraints": {"accept": ["pdf"]}},
                {"key": "director_extras", "label": "Other papers", "type": "file", "constraints": {"multiple": True}},
            ],
        }
    ],
}
INDIVIDUAL_SCHEMA: dict[str, Any] = {
    "fields": [{"key": "first_name", "label": "First name", "type": "text", "required": True}],
    "sections": [
        {
            "id": "addresses",
            "repeatable": True,
            "fields": [
                {"key": "street", "label": "Street", "type": "text"},
                {"key": "proof", "label": "Proof of address", "type": "file"},
            ],
        }
    ],
}
BODY: dict[str, Any] = {
    "company_name": "Acme",
    "directors_items": [
        {"director_name": "Ann", "director_id": "passport.pdf"},
        {"director_name": "Bob", "director_id": "passport.pdf", "director_extras": ["cv.pdf", "letter.pdf"]},
    ],
    "role-entity": [
        {
            "reference": "owner_1",
            "customer_type": "individual",
            "first_name": "Cleo",
            "addresses_items": [{"street": "1 Main St", "proof": "bill.pdf"}, {"street": "2 Side St"}],
        }
    ],
    "role-entity_relations": [{"from": "owner_1", "to": "root", "role": "owner"}],
}


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def _action(workspace: Workspace) -> tuple[PublicAction, str]:
    root = SubjectRecordFactory.create(workspace=workspace, customer_type=CustomerType.COMPANY)
    return public_action_create(
        workflow=WorkflowFactory.create(subject_record=root),
        form_version=form_version(workspace, ROOT_SCHEMA, "root-repeats"),
        individual_form_version=form_version(workspace, INDIVIDUAL_SCHEMA, "person-repeats"),
        acting_user=None,
    )


def _described(uploads: list[dict[str, Any]]) -> list[tuple[str | None, str, str]]:
    return [(item.get("entityReference"), item["spektrDataField"], item["fileName"]) for item in uploads]


def test_files_of_repeat_rows_are_uploaded_confirmed_and_linked_in_their_rows(
    client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    action, token = _action(workspace)

    response = client.post(submit_url(token), BODY, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    uploads = response.json()["fileUploads"]
    assert _described(uploads) == [
        (None, "directors_items[0].director_id", "passport.pdf"),
        (None, "directors_items[1].director_id", "passport.pdf"),
        (None, "directors_items[1].director_extras", "cv.pdf"),
        (None, "directors_items[1].director_extras", "letter.pdf"),
        ("owner_1", "addresses_items[0].proof", "bill.pdf"),
    ]
    keys = [item["fields"]["key"] for item in uploads]
    assert len(set(keys)) == 5  # two rows' passport.pdf never share a key
    assert all(decode_policy(item["fields"]) for item in uploads)

    # Nothing uploaded yet: confirm hands every file out again.
    pending = client.post(confirm_url(token))
    assert pending.status_code == 409
    assert _described(pending.json()["fileUploads"]) == _described(uploads)

    upload_all(uploads, tmp_path)
    confirmed = client.post(confirm_url(token))

    assert (confirmed.status_code, confirmed.json()) == (200, {"status": "completed"})
    action.refresh_from_db()
    assert action.status == PublicActionStatus.COMPLETED
    root = action.workflow.subject_record
    root.refresh_from_db()
    links = {link.public_id: link for link in SubjectRecordDocument.objects.select_related("document")}
    directors = root.data["directors_items"]
    assert [row["director_name"] for row in directors] == ["Ann", "Bob"]
    first, second = links[directors[0]["director_id"]], links[directors[1]["director_id"]]
    assert (first.subject_record, first.field_name) == (root, "directors_items[0].director_id")
    assert (second.field_name, second.document.original_name) == ("directors_items[1].director_id", "passport.pdf")
    extras = [links[link_id] for link_id in directors[1]["director_extras"]]
    assert [link.document.original_name for link in extras] == ["cv.pdf", "letter.pdf"]
    owner = SubjectRecord.objects.get(reference="owner_1")
    assert owner.data["addresses_items"][1] == {"street": "2 Side St"}
    proof = links[owner.data["addresses_items"][0]["proof"]]
    assert (proof.subject_record, proof.field_name) == (owner, "addresses_items[0].proof")
    documents = Document.objects.filter(subject_link__in=links.values())
    assert documents.count() == 5
    assert {(d.status, d.size) for d in documents} == {(DocumentStatus.UPLOADED, len(PDF_BYTES))}
    # The submission keeps the body as the client sent it: file names in their rows.
    submission = action.submission
    assert submission is not None
    assert submission.data["directors_items"][0]["director_id"] == "passport.pdf"


def test_a_refused_file_in_a_repeat_row_names_its_row_and_writes_nothing(
    client: APIClient, workspace: Workspace
) -> None:
    _, token = _action(workspace)
    body = {
        "company_name": "Acme",
        "directors_items": [{"director_name": "Ann", "director_id": "passport.pdf"}, {"director_id": "photo.png"}],
    }

    response = client.post(submit_url(token), body, format="json")

    assert response.status_code == 400
    payload = response.json()
    assert payload["success"] is False and payload["code"] == "VALIDATION_ERROR"
    assert set(payload["details"]["fields"]) == {
        "directors_items[1].director_name",
        "directors_items[1].director_id",
    }
    assert "accepted file types are ['pdf']" in payload["details"]["fields"]["directors_items[1].director_id"][0]
    assert not Document.objects.exists()
    assert not SubjectRecordDocument.objects.exists()
    assert not Submission.objects.exists()
    assert PublicAction.objects.get().status == PublicActionStatus.OPEN
