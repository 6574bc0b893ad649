"""The public form page's direct uploads and drafts through the test client and moto's S3 server: presigned POSTs
for the page's file fields only, bounded and rate-limited; the files verified before a send is accepted; a draft
saved with a private resume link (shown, and e-mailed) that restores every value, repeat row and file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from documents.constants import DocumentStatus, UploadSource
from documents.models import Document
from submissions.constants import SubmissionStatus
from submissions.models import DraftLink, FormInvitation, Submission, SubmissionFile
from submissions.services import form_update
from tests.submissions.public_form_support import PDF, invite, make_form, new_visit, page_url, send, upload
from tests.uploads import post_to_s3
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db
ANSWERS = {"full_name": "Jane Doe", "email": "jane@example.com"}


def test_files_uploaded_straight_to_s3_are_verified_and_named_by_the_submission(
    client: Client, workspace: Workspace
) -> None:
    form = make_form(workspace)
    page, visit = page_url(form), new_visit()
    passport, director = upload(
        client, page, visit, [("id_document", "passport.pdf"), ("directors_items[0].director_id", "d.pdf")]
    )

    response = send(
        client,
        page,
        visit,
        {**ANSWERS, "id_document": passport, "directors_items": [{"director_name": "Ada", "director_id": director}]},
    )

    assert response.status_code == 200, response.content
    submission = Submission.objects.get(public_id=response.json()["reference"])
    assert submission.metadata == {"source": "public_form"}
    assert submission.data["id_document"] == passport
    assert submission.data["directors_items"][0]["director_id"] == director
    documents = Document.objects.filter(uuid__in=[passport, director])
    assert {d.status for d in documents} == {DocumentStatus.UPLOADED}
    assert {d.source for d in documents} == {UploadSource.PUBLIC_FORM}
    assert SubmissionFile.objects.filter(submission=submission).count() == 2
    assert client.get(response.json()["next"]).status_code == 200


def test_a_file_that_did_not_arrive_is_refused_beside_its_field_and_nothing_is_written(
    client: Client, workspace: Workspace
) -> None:
    form = make_form(workspace)
    page, visit = page_url(form), new_visit()
    asked = client.post(
        page + "uploads",
        {"visit": visit, "files": [{"path": "id_document", "fileName": "p.pdf"}]},
        content_type="application/json",
    ).json()["uploads"][0]

    response = send(
        client, page, visit, {"full_name": "", "email": "jane@example.com", "id_document": asked["documentId"]}
    )

    body = response.json()
    assert response.status_code == 400 and body["success"] is False and body["code"] == "VALIDATION_ERROR"
    assert body["details"]["fields"]["id_document"] == ["The file did not arrive. Please choose it again."]
    assert body["details"]["fields"]["full_name"] == ["Full legal name is required."]
    assert Submission.objects.count() == 0


def test_a_file_whose_content_is_not_its_type_is_refused_in_plain_words(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    page, visit = page_url(form), new_visit()
    (fake,) = upload(client, page, visit, [("id_document", "passport.pdf")], content=b"MZ\x90\x00 not a pdf")

    response = send(client, page, visit, {**ANSWERS, "id_document": fake})

    assert response.status_code == 400
    message = response.json()["details"]["fields"]["id_document"][0]
    assert "not the type its name says" in message
    assert Document.objects.get(uuid=fake).status == DocumentStatus.REJECTED


def test_a_file_uploaded_by_another_visit_cannot_be_named(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    (theirs,) = upload(client, page_url(form), new_visit(), [("id_document", "passport.pdf")])

    response = send(client, page_url(form), new_visit(), {**ANSWERS, "id_document": theirs})

    assert response.status_code == 400
    assert response.json()["details"]["fields"]["id_document"] == [
        "This file was not uploaded on this page. Please choose it again."
    ]
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ([{"path": "full_name", "fileName": "a.pdf"}], "full_name"),
        ([{"path": "directors_items[3].director_id", "fileName": "a.pdf"}], "directors_items[3].director_id"),
        ([{"path": "id_document", "fileName": "virus.exe"}], "id_document"),
        ([{"path": "id_document", "fileName": "photo.png"}], "id_document"),
    ],
)
def test_uploads_only_for_the_forms_file_fields_and_types(
    client: Client, workspace: Workspace, files: list[dict[str, str]], where: str
) -> None:
    form = make_form(workspace)

    response = client.post(
        page_url(form) + "uploads", {"visit": new_visit(), "files": files}, content_type="application/json"
    )

    assert response.status_code == 400 and response.json()["code"] == "UPLOAD_REFUSED"
    assert where in response.json()["details"]["fields"]
    assert Document.objects.count() == 0


def test_one_visit_uploads_a_bounded_number_of_files(client: Client, workspace: Workspace, settings: Any) -> None:
    settings.PUBLIC_FORM_MAX_FILES = 2
    form = make_form(workspace)
    page, visit = page_url(form), new_visit()
    upload(client, page, visit, [("id_document", "a.pdf"), ("directors_items[0].director_id", "b.pdf")])

    response = client.post(
        page + "uploads",
        {"visit": visit, "files": [{"path": "id_document", "fileName": "c.pdf"}]},
        content_type="application/json",
    )

    assert response.status_code == 400 and "at most 2 files" in response.json()["error"]
    assert Document.objects.count() == 2


def test_uploads_are_rate_limited_per_address(client: Client, workspace: Workspace, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_uploads": "3/hour"}
    form = make_form(workspace)
    page = page_url(form)
    upload(client, page, new_visit(), [("id_document", "a.pdf"), ("id_document", "b.pdf")])

    response = client.post(
        page + "uploads",
        {"visit": new_visit(), "files": [{"path": "id_document", "fileName": "c.pdf"}] * 2},
        content_type="application/json",
    )

    assert response.status_code == 429 and response.json()["code"] == "THROTTLED" and response["Retry-After"]
    assert Document.objects.count() == 2


def test_a_closed_form_signs_no_uploads_and_takes_no_sends(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace, is_public=False)
    page = page_url(form)

    uploads = client.post(
        page + "uploads",
        {"visit": new_visit(), "files": [{"path": "id_document", "fileName": "a.pdf"}]},
        content_type="application/json",
    )
    sent = send(client, page, new_visit(), ANSWERS)

    assert uploads.status_code == sent.status_code == 404 and uploads.json()["success"] is False
    assert Document.objects.count() == 0 and Submission.objects.count() == 0


def test_a_malformed_visit_is_refused(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    response = send(client, page_url(form), "short", ANSWERS)
    assert response.status_code == 400 and Submission.objects.count() == 0


# --- Drafts ----------------------------------------------------------------------------------------


def save_draft(client: Client, form: Any, email: str = "") -> tuple[str, str, Any]:
    """Save a draft with a file and a repeat row; (resume path, passport id, response)."""
    page, visit = page_url(form), new_visit()
    (passport,) = upload(client, page, visit, [("id_document", "passport.pdf")])
    answers = {"full_name": "Jane", "id_document": passport, "directors_items": [{"director_name": "Ada"}]}
    response = send(client, page, visit, answers, intent="draft", email=email)
    assert response.status_code == 200, response.content
    return response.json()["next"].split("?")[0], passport, response


def test_a_saved_draft_gives_a_private_link_that_restores_every_value_row_and_file(
    client: Client, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    form = make_form(workspace)

    with django_capture_on_commit_callbacks(execute=True):
        resume, passport, response = save_draft(client, form, email="jane@example.com")

    draft = Submission.objects.get()
    assert draft.status == SubmissionStatus.DRAFT and draft.metadata == {"source": "public_form"}
    assert response.json()["status"] == "draft"
    token = resume.rstrip("/").rsplit("/", 1)[1]
    assert DraftLink.objects.get().token_hash != token  # only its hash is stored
    (message,) = mail.outbox
    assert message.to == ["jane@example.com"] and resume in message.body
    page = client.get(response.json()["next"]).content.decode()
    assert "Your answers are saved" in page and "We have also sent it to jane@example.com" in page
    assert 'value="Jane"' in page and 'value="Ada"' in page
    assert f'value="{passport}"' in page and "passport.pdf (uploaded)" in page


def test_sending_a_resumed_draft_completes_the_same_submission(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    resume, passport, _ = save_draft(client, form)

    response = send(client, resume, new_visit(), {**ANSWERS, "id_document": passport})

    assert response.status_code == 200, response.content
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.COMPLETED and submission.data["id_document"] == passport
    # The link now leads to the confirmation, never to the form again.
    followed = client.get(resume, follow=True)
    assert submission.public_id in followed.content.decode() and "Full legal name" not in followed.content.decode()


def test_a_resumed_draft_can_be_sent_without_javascript(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    resume, passport, _ = save_draft(client, form)

    response = client.post(
        resume,
        {
            "visit": new_visit(),
            "full_name": "Jane Doe",
            "email": "jane@example.com",
            "id_document": passport,
            "directors_items[0].director_name": "Ada",
        },
    )

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.COMPLETED
    assert submission.data["id_document"] == passport and submission.data["directors_items"] == [
        {"director_name": "Ada"}
    ]


def test_saving_again_replaces_the_link(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    resume, _, _ = save_draft(client, form)

    again = send(client, resume, new_visit(), {"full_name": "Jane Doe"}, intent="draft")

    newer = again.json()["next"].split("?")[0]
    assert newer != resume
    assert client.get(resume).status_code == 404 and client.get(newer).status_code == 200
    assert Submission.objects.get().data == {"full_name": "Jane Doe"}


@pytest.mark.parametrize("state", ["expired", "revoked", "form closed"])
def test_an_expired_or_revoked_resume_link_or_a_closed_form_shows_no_data(
    client: Client, workspace: Workspace, state: str
) -> None:
    form = make_form(workspace)
    resume, _, _ = save_draft(client, form)
    if state == "expired":
        DraftLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "revoked":
        DraftLink.objects.update(revoked_at=timezone.now())
    else:
        form_update(form=form, is_public=False, acting_user=None)

    response = client.get(resume)

    assert response.status_code == 404
    assert "Jane" not in response.content.decode()
    assert send(client, resume, new_visit(), ANSWERS).status_code == 404


def test_a_draft_started_from_an_invitation_follows_the_invitation(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace, is_public=False)
    page = page_url(form, invite(form), "invitation")
    response = send(client, page, new_visit(), {"full_name": "Jane"}, intent="draft")
    resume = response.json()["next"].split("?")[0]

    assert client.get(resume).status_code == 200
    assert Submission.objects.get().metadata["source"] == "invitation"
    FormInvitation.objects.update(revoked_at=timezone.now())
    assert client.get(resume).status_code == 404


def test_a_bad_email_for_the_draft_link_is_refused(
    client: Client, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    form = make_form(workspace)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            client, page_url(form), new_visit(), {"full_name": "Jane"}, intent="draft", email="jane at home"
        )

    assert response.status_code == 400 and "draft-email" in response.json()["details"]["fields"]
    assert Submission.objects.count() == 0 and mail.outbox == []


def test_the_draft_link_is_emailed_only_when_asked(
    client: Client, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    form = make_form(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        save_draft(client, form)
    assert mail.outbox == []


def test_a_file_over_the_limit_is_refused_at_the_send(client: Client, workspace: Workspace, settings: Any) -> None:
    settings.UPLOAD_DEFAULT_MAX_BYTES = 40  # the policy pins it; what S3 lets through (moto: anything) is checked
    form = make_form(workspace)
    page, visit = page_url(form), new_visit()
    asked = client.post(
        page + "uploads",
        {"visit": visit, "files": [{"path": "id_document", "fileName": "big.pdf"}]},
        content_type="application/json",
    ).json()["uploads"][0]
    post_to_s3(asked["url"], asked["fields"], PDF + b" " * 100, "big.pdf")

    response = send(client, page, visit, {**ANSWERS, "id_document": asked["documentId"]})

    assert response.status_code == 400
    assert response.json()["details"]["fields"]["id_document"] == [
        "The file is larger than the limit. Please choose a smaller one."
    ]
    assert Document.objects.get(uuid=asked["documentId"]).status == DocumentStatus.REJECTED
    assert Submission.objects.count() == 0


def test_a_member_revokes_a_resume_link_in_the_admin(
    client: Client, workspace: Workspace, member_of: Any, django_assert_max_num_queries: Any
) -> None:
    form = make_form(workspace)
    resume, _, _ = save_draft(client, form)
    staff = Client()
    staff.force_login(member_of(workspace, Role.MEMBER, is_staff=True))
    url = reverse("admin:submissions_draftlink_changelist")

    with django_assert_max_num_queries(15):
        listing = staff.get(url)
    staff.post(url, {"action": "revoke", "_selected_action": [DraftLink.objects.get().pk]})

    assert "Client onboarding" in listing.content.decode() and "Live" in listing.content.decode()
    assert client.get(resume).status_code == 404
    assert Submission.objects.get().status == SubmissionStatus.DRAFT  # the draft itself stays
