"""The public form page /f/<workspace>/<form>/ through the test client: who may open it (the public switch, an
invitation valid, expired or revoked), sending without JavaScript, errors beside their fields with nothing written,
hostile values escaped, no other workspace's form, the switch in the API and the admin, invitations in the admin."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.constants import SubmissionStatus
from submissions.models import Form, FormInvitation, PublicFormSession, Submission
from submissions.services import form_archive, form_update
from tests.submissions.public_form_support import SCHEMA, invite, make_form, new_visit, page_url
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def post_page(client: Client, url: str, **fields: Any) -> Any:
    return client.post(url, {"visit": new_visit(), **fields})


def test_a_form_not_opened_to_the_public_is_a_404(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace, is_public=False)

    response = client.get(page_url(form))

    assert response.status_code == 404
    assert "This form is not available" in response.content.decode()
    assert "Full legal name" not in response.content.decode()


def test_a_draft_or_archived_form_is_a_404_even_when_public(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    form_archive(form=form, acting_user=None)
    assert client.get(page_url(form)).status_code == 404


def test_an_open_form_names_the_workspace_and_renders_every_field(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)

    response = client.get(page_url(form))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Requested by Acme Compliance" in page and "Client onboarding" in page
    for field_id in ("f-full_name", "f-email", "f-id_document", "f-directors_items-__INDEX__-director_name"):
        assert f'id="{field_id}"' in page
    assert "Save and continue later" in page
    assert response["Referrer-Policy"] == "no-referrer"


def test_sending_creates_a_submission_with_its_source_and_shows_the_reference(
    client: Client, workspace: Workspace
) -> None:
    form = make_form(workspace)

    response = post_page(client, page_url(form), full_name="Jane Doe", email="jane@example.com")

    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.COMPLETED and submission.form_version == form.versions.get()
    assert submission.data == {"full_name": "Jane Doe", "email": "jane@example.com"}
    assert submission.metadata == {"source": "public_form"}
    confirmation = client.get(response["Location"])
    assert submission.public_id in confirmation.content.decode()
    assert "Thank you, everything has been received" in confirmation.content.decode()


def test_a_confirmation_shows_only_at_its_own_forms_address_and_unsigned_is_refused(
    client: Client, workspace: Workspace, other_workspace: Workspace
) -> None:
    form, other_form = make_form(workspace), make_form(workspace, slug="other")
    elsewhere = make_form(other_workspace)  # the same form slug in another workspace
    location = post_page(client, page_url(form), full_name="Jane Doe", email="jane@example.com")["Location"]
    reference = Submission.objects.get().public_id

    own = client.get(location)
    moved = client.get(location.replace(page_url(form), page_url(other_form)))
    other_tenant = client.get(location.replace(page_url(form), page_url(elsewhere)))
    unsigned = client.get(location.replace(location.rstrip("/").rsplit("/", 1)[1], reference))

    assert page_url(elsewhere) != page_url(form) and own.status_code == 200
    assert moved.status_code == other_tenant.status_code == 404
    for refused in (moved, other_tenant):
        assert "This form is not available" in refused.content.decode() and reference not in refused.content.decode()
    assert unsigned.status_code == 404 and "The link is invalid or has expired." in unsigned.content.decode()


def test_sending_twice_from_one_visit_writes_once_and_shows_the_confirmation_again(
    client: Client, workspace: Workspace
) -> None:
    form = make_form(workspace)
    visit = new_visit()
    fields = {"visit": visit, "full_name": "Jane Doe", "email": "jane@example.com"}

    first = client.post(page_url(form), fields)
    second = client.post(page_url(form), fields)

    assert Submission.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]


def test_bad_input_answers_errors_next_to_their_fields_and_writes_nothing(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)

    response = post_page(client, page_url(form), full_name="", email="not an address")

    page = response.content.decode()
    assert response.status_code == 400
    assert '<p class="rf-error" id="f-full_name-error">Full legal name is required.</p>' in page
    assert "Please correct the following" in page and 'href="#f-email"' in page
    # What was typed is refused for what it is, not also called missing.
    assert '<p class="rf-error" id="f-email-error">Must be a valid email address.</p>' in page
    assert "Email is required." not in page
    assert Submission.objects.count() == 0 and PublicFormSession.objects.count() == 0


def test_a_refused_answer_to_a_required_field_is_not_also_called_missing(
    api_client: APIClient, workspace: Workspace
) -> None:
    """The API the pages share says the same: one message for a required field's bad value."""
    form = make_form(workspace)

    response = api_client.post(
        reverse("submission-list"),
        {"formId": form.public_id, "data": {"full_name": "Jane Doe", "email": "not an address"}},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["details"]["fields"] == {"email": ["Must be a valid email address."]}
    assert Submission.objects.count() == 0


def test_hostile_values_are_escaped(client: Client, workspace: Workspace) -> None:
    schema = {
        "fields": [
            {"key": "note", "label": "<img src=x onerror=alert(1)>", "type": "text", "required": True},
            {"key": "other", "label": "Other", "type": "text"},
        ]
    }
    form = make_form(workspace, schema=schema)
    Form.objects.filter(pk=form.pk).update(title="<script>alert(2)</script>")

    response = post_page(client, page_url(form), note="", other='"><svg onload=alert(3)>')
    page = response.content.decode()

    assert response.status_code == 400
    assert "<img src=x" not in page and "<script>alert(2)" not in page and "<svg onload" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert 'value="&quot;&gt;&lt;svg onload=alert(3)&gt;"' in page


def test_the_page_and_a_send_cost_a_bounded_number_of_queries(
    client: Client, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    form = make_form(workspace)

    with django_assert_max_num_queries(6):
        assert client.get(page_url(form)).status_code == 200
    with django_assert_max_num_queries(25):
        post_page(client, page_url(form), full_name="Jane Doe", email="jane@example.com")
    assert Submission.objects.count() == 1


def test_an_invitation_opens_a_closed_form_and_marks_the_source(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace, is_public=False)
    token = invite(form)
    url = page_url(form, token, "invitation")

    page = client.get(url)
    post_page(client, url, full_name="Jane Doe", email="jane@example.com")

    assert page.status_code == 200 and "This link works until" in page.content.decode()
    invitation = FormInvitation.objects.get()
    assert Submission.objects.get().metadata == {"source": "invitation", "invitationId": invitation.public_id}
    assert invitation.token_hash != token and token not in invitation.token_hash


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_an_expired_revoked_or_unknown_invitation_is_a_clear_404(
    client: Client, workspace: Workspace, state: str
) -> None:
    form = make_form(workspace, is_public=False)
    token = "no-such-token" if state == "unknown" else invite(form, **{state: True})
    url = page_url(form, token, "invitation")

    response = client.get(url)
    sent = post_page(client, url, full_name="Jane Doe", email="jane@example.com")

    assert response.status_code == 404 and sent.status_code == 404
    assert "The link is invalid or has expired." in response.content.decode()
    assert "Full legal name" not in response.content.decode()
    assert Submission.objects.count() == 0


def test_no_page_shows_another_workspaces_form(
    client: Client, workspace: Workspace, other_workspace: Workspace
) -> None:
    ours = make_form(workspace, slug="ours")
    theirs = make_form(other_workspace, is_public=False, slug="theirs")
    their_token = invite(theirs)

    crossed = reverse("submissions:public-form", args=[workspace.slug, "theirs"])
    crossed_invitation = reverse("submissions:public-form-invitation", args=[workspace.slug, "ours", their_token])

    assert client.get(crossed).status_code == 404
    assert client.get(crossed_invitation).status_code == 404
    assert client.get(page_url(ours)).status_code == 200


def test_closing_the_form_closes_its_page_at_once(client: Client, workspace: Workspace) -> None:
    form = make_form(workspace)
    assert client.get(page_url(form)).status_code == 200

    form_update(form=form, is_public=False, acting_user=None)

    assert client.get(page_url(form)).status_code == 404


def test_the_forms_api_reads_and_sets_the_public_switch(api_client: APIClient, workspace: Workspace) -> None:
    created = api_client.post("/api/forms", {"title": "Open form", "schema": SCHEMA}, format="json").json()
    assert created["isPublic"] is False

    opened = api_client.patch(f"/api/forms/{created['id']}", {"isPublic": True}, format="json")
    refused = api_client.patch(f"/api/forms/{created['id']}", {"isPublic": "yes please"}, format="json")

    assert opened.status_code == 200 and opened.json()["isPublic"] is True
    assert refused.status_code == 400 and refused.json()["code"] == "VALIDATION_ERROR"
    assert Form.objects.get(public_id=created["id"]).is_public is True


def test_a_viewer_cannot_open_a_form_through_the_api(
    workspace: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    form = make_form(workspace, is_public=False)
    viewer = api_client_for(workspace, role=Role.VIEWER)

    response = viewer.patch(f"/api/forms/{form.public_id}", {"isPublic": True}, format="json")

    assert response.status_code == 403
    assert Form.objects.get(pk=form.pk).is_public is False


def _staff(client: Client, workspace: Workspace, member_of: Callable[..., Any], role: Role) -> Client:
    client.force_login(member_of(workspace, role, is_staff=True))
    return client


def test_an_admin_opens_a_form_on_its_admin_page(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    form = make_form(workspace, is_public=False)
    staff = _staff(client, workspace, member_of, Role.ADMIN)
    url = reverse("admin:submissions_form_change", args=[form.pk])

    response = staff.post(
        url,
        {
            "title": form.title,
            "description": "",
            "is_public": "on",
            "schema": json.dumps(form.schema),
            "versions-TOTAL_FORMS": 0,
            "versions-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    assert Form.objects.get(pk=form.pk).is_public is True
    assert f"/f/{workspace.slug}/{form.slug}/" in staff.get(url).content.decode()


def test_a_member_creates_an_invitation_in_the_admin_and_sees_the_link_once(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    form = make_form(workspace, is_public=False)
    staff = _staff(client, workspace, member_of, Role.MEMBER)

    response = staff.post(
        reverse("admin:submissions_forminvitation_add"), {"form": form.pk, "label": "Jane", "expires_in_days": 10}
    )

    shown = [str(m) for m in get_messages(response.wsgi_request) if "shown only once" in str(m)]
    assert len(shown) == 1
    link = shown[0].rsplit(": ", 1)[1]
    assert Client().get(link).status_code == 200
    assert link in staff.get(reverse("admin:submissions_forminvitation_changelist")).content.decode()  # the once
    with django_assert_max_num_queries(15):
        listing = staff.get(reverse("admin:submissions_forminvitation_changelist"))
    assert "Jane" in listing.content.decode() and "Live" in listing.content.decode()
    assert link.rsplit("/", 2)[-2] not in listing.content.decode()  # the token is never shown again


def test_a_revoked_invitation_stops_working(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    form = make_form(workspace, is_public=False)
    token = invite(form)
    staff = _staff(client, workspace, member_of, Role.MEMBER)

    staff.post(
        reverse("admin:submissions_forminvitation_changelist"),
        {"action": "revoke", "_selected_action": [FormInvitation.objects.get().pk]},
    )

    assert Client().get(page_url(form, token, "invitation")).status_code == 404


def test_a_viewer_cannot_create_invitations(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    form = make_form(workspace, is_public=False)
    staff = _staff(client, workspace, member_of, Role.VIEWER)

    response = staff.post(reverse("admin:submissions_forminvitation_add"), {"form": form.pk, "expires_in_days": 10})

    assert response.status_code == 403 and FormInvitation.objects.count() == 0


def test_another_workspaces_members_do_not_see_its_invitations(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    invite(make_form(other_workspace, is_public=False))
    staff = _staff(client, workspace, member_of, Role.ADMIN)

    listing = staff.get(reverse("admin:submissions_forminvitation_changelist"))

    assert "Jane" not in listing.content.decode()
