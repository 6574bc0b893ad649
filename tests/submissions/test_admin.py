"""The admin of forms, submissions, matters and share links: scoped to the staff member's workspaces."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from submissions.models import Form, FormVersion, Matter
from submissions.services import share_link_create, submission_update
from tests.submissions.schemas import SEED_FORM_SCHEMA
from workspaces.constants import Role


def inline_management(prefix: str) -> dict[str, int]:
    return {
        f"{prefix}-TOTAL_FORMS": 0,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


@pytest.fixture
def staff_client(client: Any, workspace: Any, member_of: Any) -> Any:
    user = member_of(workspace, Role.ADMIN, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="submissions"))
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "changelist",
    [
        "submissions_form",
        "submissions_formversion",
        "submissions_submission",
        "submissions_matter",
        "submissions_sharelink",
    ],
)
def test_changelists_are_scoped_and_take_few_queries(
    staff_client: Any,
    changelist: str,
    workspace: Any,
    other_workspace: Any,
    publish_form: Any,
    make_submission: Any,
    django_assert_max_num_queries: Any,
) -> None:
    mine, theirs = publish_form(workspace, title="Mine"), publish_form(other_workspace, title="Theirs")
    for version in (mine, theirs):
        for _ in range(5):
            share_link_create(submission=make_submission(version), acting_user=None)
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Theirs" not in html and theirs.form.public_id not in html


def test_admin_creates_publishes_and_archives_forms(staff_client: Any, workspace: Any) -> None:
    import json

    response = staff_client.post(
        reverse("admin:submissions_form_add"),
        {
            "workspace": workspace.pk,
            "title": "Admin form",
            "slug": "admin-form",
            "description": "",
            "schema": json.dumps(SEED_FORM_SCHEMA),
            **inline_management("versions"),
        },
        follow=True,
    )
    assert response.status_code == 200
    form = Form.objects.get(title="Admin form")
    url = reverse("admin:submissions_form_changelist")
    response = staff_client.post(url, {"action": "publish", "_selected_action": [form.pk]}, follow=True)
    assert "published version 1" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert FormVersion.objects.get(form=form).schema == SEED_FORM_SCHEMA
    staff_client.post(url, {"action": "archive", "_selected_action": [form.pk]}, follow=True)
    form.refresh_from_db()
    assert form.status == "archived"


def test_admin_publish_of_a_bad_schema_is_a_message_not_a_500(staff_client: Any, workspace: Any) -> None:
    from submissions.services import form_create

    bad = copy.deepcopy(SEED_FORM_SCHEMA)
    bad["fields"][0]["type"] = "colour"
    form = form_create(workspace=workspace, title="Bad", schema=bad, acting_user=None)
    url = reverse("admin:submissions_form_changelist")
    response = staff_client.post(url, {"action": "publish", "_selected_action": [form.pk]}, follow=True)
    assert response.status_code == 200
    assert "unknown field type 'colour'" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not FormVersion.objects.exists()


def test_admin_numbers_matters(staff_client: Any, workspace: Any) -> None:
    for title in ("First", "Second"):
        staff_client.post(
            reverse("admin:submissions_matter_add"),
            {"workspace": workspace.pk, "number_prefix": "MAT", "title": title, **inline_management("links")},
        )
    assert list(Matter.objects.order_by("number").values_list("number", "title")) == [(1, "First"), (2, "Second")]


def test_published_versions_cannot_be_changed_in_the_admin(staff_client: Any, form_version: Any) -> None:
    url = reverse("admin:submissions_formversion_change", args=[form_version.pk])
    response = staff_client.post(url, {"version": 9, "schema": "{}"})
    assert response.status_code == 403
    form_version.refresh_from_db()
    assert form_version.version == 1


def test_the_submission_pages_save_no_raw_row(staff_client: Any, submission: Any, owner: Any) -> None:
    """A snapshot is restored by the rollback service (stored data may be a delta); the change page takes no form
    POST and the history page has no "Revert"."""
    original = copy.deepcopy(submission.data)
    submission_update(submission=submission, acting_user=owner, data={**original, "comments": "edited"})
    history = staff_client.get(reverse("admin:submissions_submission_history", args=[submission.pk]))
    assert history.status_code == 200 and "Revert" not in history.content.decode()
    change = reverse("admin:submissions_submission_change", args=[submission.pk])
    assert staff_client.post(change, {"data": "{}", "status": "DRAFT"}).status_code == 405
    submission.refresh_from_db()
    assert submission.data["comments"] == "edited" and submission.status == "EDITED"
