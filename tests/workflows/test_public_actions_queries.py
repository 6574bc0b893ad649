"""POST /v3/public/actions/{token} writes in bulk: its query count does not grow with the entities it creates."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from documents.models import Document
from tests.workflows.public_action_support import make_action, submit_url
from workflows.models import PublicActionFile, Relation, SubjectRecord, SubjectRecordDocument
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

# Reads: the action with its root record (locked), its form versions, the reference check, the root's keys.
# Writes, one INSERT each plus one for its history rows: entity records (in a savepoint), relations, the root's
# update, documents, document links, the action's files, the submission (in a savepoint), the action's update.
SUBMIT_QUERY_BOUND = 25


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
    workspace: Workspace, django_assert_max_num_queries: Any, entities: int
) -> None:
    _, token = make_action(workspace)

    with django_assert_max_num_queries(SUBMIT_QUERY_BOUND):
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
