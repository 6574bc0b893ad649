"""Notes, attached documents, share links (the read-only page) and share by email."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from documents.constants import DocumentStatus
from documents.models import Document
from submissions.constants import VisibilityMode
from submissions.models import ShareLink, Submission
from submissions.services import attachment_add, visibility_set
from tests.documents.factories import UploadedDocumentFactory
from workspaces.constants import Role

# --- Notes ---------------------------------------------------------------------------------------


def test_notes_with_the_seed_body(owner_client: Any, owner: Any, submission: Submission) -> None:
    url = reverse("submission-notes", args=[submission.public_id])
    response = owner_client.post(url, {"content": "Followed up with client via email"}, format="json")
    assert response.status_code == 201
    note = response.json()
    assert note["id"].startswith("note_") and note["content"] == "Followed up with client via email"
    assert note["author"]["email"] == owner.email
    owner_client.post(url, {"content": "<script>x()</script>Second <b>note</b>"}, format="json")
    notes = owner_client.get(url).json()["notes"]
    assert [n["content"] for n in notes] == ["Second note", "Followed up with client via email"]


def test_notes_need_content_and_a_writing_role(
    workspace: Any, member_of: Any, api_client_for: Any, submission: Submission
) -> None:
    url = reverse("submission-notes", args=[submission.public_id])
    viewer = api_client_for(workspace, user=member_of(workspace, Role.VIEWER))
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"content": "x"}, format="json").status_code == 403
    member = api_client_for(workspace, user=member_of(workspace, Role.MEMBER))
    for body in ({}, {"content": ""}, {"content": "<b></b>"}):
        assert member.post(url, body, format="json").status_code == 400
    assert not submission.notes.exists()


# --- Documents -----------------------------------------------------------------------------------


def test_attach_list_and_remove_documents(
    api_client: Any, workspace: Any, submission: Submission, django_assert_max_num_queries: Any
) -> None:
    url = reverse("submission-documents", args=[submission.public_id])
    first = UploadedDocumentFactory(workspace=workspace, original_name="passport.pdf")
    second = UploadedDocumentFactory(workspace=workspace, original_name="photo.png", content_type="image/png")
    response = api_client.post(url, {"fileId": str(first.uuid)}, format="json")
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert attachment["fileId"] == str(first.uuid) and attachment["name"] == "passport.pdf"
    assert attachment["attachmentId"].startswith("att_") and attachment["url"].startswith("http")
    api_client.post(url, {"fileId": str(second.uuid)}, format="json")
    again = api_client.post(url, {"fileId": str(first.uuid)}, format="json")
    assert again.status_code == 409

    with django_assert_max_num_queries(5):
        documents = api_client.get(url).json()["documents"]
    assert [d["name"] for d in documents] == ["passport.pdf", "photo.png"]

    response = api_client.delete(f"{url}?attachmentId={attachment['attachmentId']}")
    assert response.status_code == 200 and response.json() == {"success": True}
    assert [d["name"] for d in api_client.get(url).json()["documents"]] == ["photo.png"]
    missing = api_client.delete(f"{url}?attachmentId={attachment['attachmentId']}")
    assert missing.status_code == 404 and missing.json()["code"] == "ATTACHMENT_NOT_FOUND"


def test_only_uploaded_files_of_the_same_workspace_attach(
    api_client: Any, workspace: Any, other_workspace: Any, submission: Submission
) -> None:
    url = reverse("submission-documents", args=[submission.public_id])
    foreign = UploadedDocumentFactory(workspace=other_workspace)
    pending = UploadedDocumentFactory(workspace=workspace, status=DocumentStatus.AWAITING_UPLOAD)
    assert api_client.post(url, {"fileId": str(foreign.uuid)}, format="json").status_code == 404
    assert api_client.post(url, {"fileId": str(pending.uuid)}, format="json").status_code == 409
    assert api_client.post(url, {"fileId": "not-a-uuid"}, format="json").status_code == 400
    assert api_client.post(url, {}, format="json").status_code == 400
    assert not submission.attachments.exists()


def test_a_restricted_submissions_file_is_not_attached_by_whoever_may_not_see_it(
    workspace: Any, member_of: Any, api_client_for: Any, make_submission: Any, form_version: Any
) -> None:
    """Its id is no way in: the member is told there is no such file, as for another workspace's."""
    hidden, visible = make_submission(form_version), make_submission(form_version)
    private = UploadedDocumentFactory.create(workspace=workspace, original_name="board-minutes.pdf")
    attachment_add(submission=hidden, document_uuid=private.uuid, acting_user=None)
    visibility_set(submission=hidden, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    member = api_client_for(workspace, user=member_of(workspace, Role.MEMBER), role=Role.MEMBER)

    url = reverse("submission-documents", args=[visible.public_id])
    response = member.post(url, {"fileId": str(private.uuid)}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "FILE_NOT_FOUND"
    assert not visible.attachments.exists()


# --- Share links ---------------------------------------------------------------------------------


def share(client: Any, submission: Submission) -> str:
    response = client.post(reverse("submission-share", args=[submission.public_id]))
    assert response.status_code == 201
    return str(response.json()["shareUrl"])


def test_share_link_opens_a_read_only_page(
    api_client: Any, client: Any, form_version: Any, make_submission: Any
) -> None:
    submission = make_submission(form_version)
    Submission.objects.filter(pk=submission.pk).update(
        data={**submission.data, "full_name": "<script>alert(1)</script>"}
    )
    url = share(api_client, submission)
    assert "/share/" in url and len(url.rstrip("/").rsplit("/", 1)[1]) >= 40
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert submission.public_id in html and "Client onboarding" in html
    assert "123 Main St" in html and "Preference" in html and "High risk, Politically exposed person" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html  # escaped on output too
    assert page["Referrer-Policy"] == "no-referrer"
    assert client.post(url).status_code == 405
    assert ShareLink.objects.get().token_hash not in url  # only the hash is stored


def test_share_links_expire_and_can_be_revoked(api_client: Any, client: Any, submission: Submission) -> None:
    url = share(api_client, submission)
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    url = share(api_client, submission)
    assert client.get(url).status_code == 200
    response = api_client.delete(reverse("submission-share", args=[submission.public_id]))
    assert response.json() == {"success": True, "revoked": 1}
    assert client.get(url).status_code == 404
    assert client.get("/share/guessed-token/").status_code == 404


def test_a_deleted_submission_takes_its_links_with_it(api_client: Any, client: Any, submission: Submission) -> None:
    url = share(api_client, submission)
    api_client.delete(reverse("submission-detail", args=[submission.public_id]))
    assert client.get(url).status_code == 404


def test_share_by_email_is_sent_after_commit(
    api_client: Any, client: Any, submission: Submission, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("submission-share-email", args=[submission.public_id])
    body = {"email": "reviewer@example.com", "message": "Please review this submission"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post(url, body, format="json")
    assert response.status_code == 200 and response.json()["success"] is True
    assert mail.outbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reviewer@example.com"]
    assert "Please review this submission" in message.body
    link = next(word for word in message.body.split() if "/share/" in word)
    assert client.get(link).status_code == 200


def test_share_by_email_validates_the_address(api_client: Any, submission: Submission) -> None:
    url = reverse("submission-share-email", args=[submission.public_id])
    response = api_client.post(url, {"email": "not-an-address"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["details"]["fields"]
    assert not ShareLink.objects.exists() and mail.outbox == []


def test_the_share_page_lists_the_files_with_their_sha256(
    api_client: Any, client: Any, workspace: Any, submission: Submission
) -> None:
    document: Document = UploadedDocumentFactory.create(
        workspace=workspace, original_name="passport.pdf", sha256="ab" * 32
    )
    UploadedDocumentFactory(original_name="foreign.pdf", sha256="cd" * 32)  # another workspace's file
    assert (
        api_client.post(
            reverse("submission-documents", args=[submission.public_id]), {"fileId": str(document.uuid)}, format="json"
        ).status_code
        == 201
    )

    html = client.get(share(api_client, submission)).content.decode()

    assert "passport.pdf" in html and f"SHA-256 <code>{document.sha256}</code>" in html
    assert "foreign.pdf" not in html
