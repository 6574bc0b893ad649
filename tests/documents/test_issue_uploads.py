"""document_issue_uploads: many presigned POSTs from one INSERT, each exactly what the one-file service signs."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from documents.constants import DocumentStatus, UploadSource
from documents.errors import UnsupportedFileType
from documents.models import Document
from documents.services import UploadRequest, document_issue_upload, document_issue_uploads
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def _conditions(fields: dict[str, str]) -> list[Any]:
    return list(json.loads(base64.b64decode(fields["Policy"]))["conditions"])


def test_bulk_issue_records_and_signs_each_file_in_order(
    workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    requests = [
        UploadRequest(file_name="passport.pdf", key_prefix="ws/endClient/sr_a", key_name="passport.pdf"),
        UploadRequest(file_name="photo.png", key_prefix="ws/endClient/sr_b", key_name="photo.png"),
        UploadRequest(file_name="bill.pdf", key_prefix="ws/endClient/sr_c", key_name="bill.pdf"),
    ]

    with django_assert_max_num_queries(2):  # the documents, then their history rows
        issued = document_issue_uploads(
            workspace=workspace,
            requests=requests,
            source=UploadSource.PUBLIC_ACTION,
            expires_in=3600,
            acting_user=None,
        )

    assert [document.original_name for document, _ in issued] == ["passport.pdf", "photo.png", "bill.pdf"]
    assert [document.key for document, _ in issued] == [
        "ws/endClient/sr_a/passport.pdf",
        "ws/endClient/sr_b/photo.png",
        "ws/endClient/sr_c/bill.pdf",
    ]
    for document, post in issued:
        assert document.pk is not None
        assert document.status == DocumentStatus.AWAITING_UPLOAD
        assert post.fields["key"] == document.key
        assert ["eq", "$Content-Type", document.content_type] in _conditions(post.fields)
        (created,) = document.history.all()
        assert created.history_type == "+"


def test_bulk_issue_signs_the_same_policy_as_the_single_service(workspace: Workspace) -> None:
    [(bulk_document, bulk_post)] = document_issue_uploads(
        workspace=workspace,
        requests=[UploadRequest(file_name="scan.pdf", key_prefix="ws/a", key_name="scan.pdf")],
        source=UploadSource.PUBLIC_ACTION,
        expires_in=3600,
        acting_user=None,
    )
    single_document, single_post = document_issue_upload(
        workspace=workspace,
        file_name="scan.pdf",
        source=UploadSource.PUBLIC_ACTION,
        key_prefix="ws/b",
        key_name="scan.pdf",
        expires_in=3600,
        acting_user=None,
    )

    def shape(conditions: list[Any]) -> list[Any]:
        """Every condition but the key's; of the {name: value} ones (bucket, credential, date) only the name."""
        return [
            sorted(condition) if isinstance(condition, dict) else condition
            for condition in conditions
            if not (isinstance(condition, list) and condition[:2] == ["eq", "$key"])
        ]

    assert shape(_conditions(bulk_post.fields)) == shape(_conditions(single_post.fields))
    assert set(bulk_post.fields) == set(single_post.fields)
    for name in ("content_type", "min_size", "max_size", "source", "status", "metadata"):
        assert getattr(bulk_document, name) == getattr(single_document, name)


def test_an_unsupported_file_in_the_batch_writes_nothing(workspace: Workspace) -> None:
    with pytest.raises(UnsupportedFileType):
        document_issue_uploads(
            workspace=workspace,
            requests=[
                UploadRequest(file_name="ok.pdf", key_prefix="ws/a", key_name="ok.pdf"),
                UploadRequest(file_name="run.exe", key_prefix="ws/a", key_name="run.exe"),
            ],
            source=UploadSource.PUBLIC_ACTION,
            expires_in=3600,
            acting_user=None,
        )

    assert Document.objects.count() == 0
