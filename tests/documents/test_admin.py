"""The documents admin as a reviewer reads it: status, size, type, verification, scan, SHA-256, a preview and a
short-lived download; and "Check again" through the documents service, refused to a VIEWER."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from documents import s3
from documents.constants import DocumentStatus, ScanStatus, UploadProblem
from documents.models import Document
from tests.documents.factories import UploadedDocumentFactory
from tests.uploads import pdf_bytes, png_bytes
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def change_url(document: Document) -> str:
    return reverse("admin:documents_document_change", args=[document.pk])


def reverify_url(document: Document) -> str:
    return reverse("admin:documents_document_reverify", args=[document.pk])


def messages_of(response: Any) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture
def login(client: Client, workspace: Workspace, member_of: Callable[..., Any]) -> Callable[[Role], Any]:
    def log_in(role: Role) -> Any:
        user = member_of(workspace, role, is_staff=True)
        client.force_login(user)
        return user

    return log_in


def test_a_document_page_shows_what_arrived_and_what_the_checks_found(
    client: Client, login: Callable[[Role], Any], workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    login(Role.VIEWER)
    document: Document = UploadedDocumentFactory.create(
        workspace=workspace, original_name="passport.png", content_type="image/png", size=2_500_000, sha256="ab" * 32
    )

    with django_assert_max_num_queries(10):
        response = client.get(change_url(document))

    html = response.content.decode()
    assert response.status_code == 200
    assert "passport.png" in html and "image/png" in html and "2.4 MB" in html
    assert "Accepted: size, type and content match what was declared." in html and "Clean" in html
    assert "ab" * 32 in html
    assert html.count("/files/thumbnails/") == 1 and "Download (link valid 15 minutes)" in html
    assert "X-Amz-Expires=900" in html
    assert "Check again" not in html  # a VIEWER reads only


def test_a_rejected_or_quarantined_file_says_why_and_is_not_served(
    client: Client, login: Callable[[Role], Any], workspace: Workspace
) -> None:
    login(Role.MEMBER)
    rejected: Document = UploadedDocumentFactory.create(
        workspace=workspace,
        status=DocumentStatus.REJECTED,
        problem=UploadProblem.WRONG_TYPE,
        rejection_reason="Content type 'text/html' differs from the declared 'application/pdf'.",
        final_key="",
    )
    quarantined: Document = UploadedDocumentFactory.create(
        workspace=workspace, scan_status=ScanStatus.QUARANTINED, scan_reason="Malware found: Eicar-Signature."
    )
    html = client.get(change_url(rejected)).content.decode()
    assert "Rejected (Wrong type): Content type &#x27;text/html&#x27; differs" in html
    assert "/files/thumbnails/" not in html and "X-Amz-" not in html
    html = client.get(change_url(quarantined)).content.decode()
    assert "Malware found: Eicar-Signature." in html and "not served: Quarantined" in html
    assert "/files/thumbnails/" not in html and "X-Amz-" not in html


def test_the_changelist_shows_previews_with_few_queries(
    client: Client, login: Callable[[Role], Any], workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    login(Role.MEMBER)
    for index in range(8):
        UploadedDocumentFactory.create(workspace=workspace, original_name=f"scan-{index}.png", content_type="image/png")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:documents_document_changelist"))
    assert response.content.decode().count("/files/thumbnails/") == 8


def test_a_member_has_an_accepted_file_checked_again(
    client: Client, login: Callable[[Role], Any], workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    login(Role.MEMBER)
    document: Document = UploadedDocumentFactory.create(workspace=workspace, scanned_at=timezone.now())
    assert "Check again" in client.get(change_url(document)).content.decode()

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverify_url(document), follow=True)

    assert "Queued for a new content check and malware scan" in messages_of(response)
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.SCANNING and document.scanned_at is None and not document.servable
    s3.put_object(document.final_key, pdf_bytes(), "application/pdf")
    for callback in queued:  # the scan task, queued once the request committed (eager in the suite)
        callback()
    document.refresh_from_db()
    assert document.scan_status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED) and document.scanned_at is not None


def test_an_awaiting_upload_is_verified_now(client: Client, login: Callable[[Role], Any], workspace: Workspace) -> None:
    login(Role.MEMBER)
    document: Document = UploadedDocumentFactory.create(
        workspace=workspace,
        original_name="photo.png",
        content_type="image/png",
        status=DocumentStatus.AWAITING_UPLOAD,
        final_key="",
        size=None,
        upload_expires_at=timezone.now() + timedelta(minutes=5),
    )
    nothing = client.post(reverify_url(document), follow=True)
    assert "Nothing has arrived for this upload yet." in messages_of(nothing)

    s3.put_object(document.key, png_bytes(), "image/png")
    accepted = client.post(reverify_url(document), follow=True)

    assert "Accepted." in messages_of(accepted)
    document.refresh_from_db()
    assert document.status == DocumentStatus.UPLOADED and len(document.sha256) == 64


def test_refusals_and_what_cannot_be_checked_write_nothing(
    client: Client, login: Callable[[Role], Any], workspace: Workspace, other_workspace: Workspace
) -> None:
    rejected: Document = UploadedDocumentFactory.create(
        workspace=workspace, status=DocumentStatus.REJECTED, problem=UploadProblem.TOO_LARGE, final_key=""
    )
    accepted: Document = UploadedDocumentFactory.create(workspace=workspace)
    foreign: Document = UploadedDocumentFactory.create(workspace=other_workspace)
    login(Role.VIEWER)
    assert client.post(reverify_url(accepted)).status_code == 403
    client.post(
        reverse("admin:documents_document_changelist"), {"action": "reverify", "_selected_action": [accepted.pk]}
    )
    login(Role.MEMBER)
    assert client.post(reverify_url(foreign)).status_code == 302  # another workspace's file: "does not exist"
    assert client.get(reverify_url(accepted)).status_code == 405
    response = client.post(reverify_url(rejected), follow=True)
    assert "A rejected upload is deleted; the client has to upload the file again." in messages_of(response)
    for document in (rejected, accepted, foreign):
        before = document.scan_status, document.status
        document.refresh_from_db()
        assert (document.scan_status, document.status) == before


def test_the_changelist_action_checks_the_selected_files_again(
    client: Client, login: Callable[[Role], Any], workspace: Workspace
) -> None:
    login(Role.MEMBER)
    documents = [UploadedDocumentFactory.create(workspace=workspace) for _ in range(3)]
    response = client.post(
        reverse("admin:documents_document_changelist"),
        {"action": "reverify", "_selected_action": [document.pk for document in documents]},
        follow=True,
    )
    assert "Asked for 3 check(s)" in messages_of(response)
    assert set(Document.objects.values_list("scan_status", flat=True)) == {ScanStatus.SCANNING}
