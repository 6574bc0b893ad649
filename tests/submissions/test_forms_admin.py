"""The form's admin page: schema errors in plain words, publish from the page, the preview, the fixed slug."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from submissions.models import Form, FormVersion
from submissions.services import form_create
from tests.submissions.schemas import SEED_FORM_SCHEMA
from workspaces.constants import Role
from workspaces.models import Workspace

VERSIONS = {"versions-TOTAL_FORMS": 0, "versions-INITIAL_FORMS": 0, "versions-MIN_NUM_FORMS": 0}


def admin_client(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], role: Role = Role.ADMIN
) -> Client:
    client.force_login(member_of(workspace, role, is_staff=True))
    return client


def add(client: Client, workspace: Workspace, schema: str, slug: str = "onboarding") -> Any:
    return client.post(
        reverse("admin:submissions_form_add"),
        {"workspace": workspace.pk, "title": "Onboarding", "slug": slug, "description": "", "schema": schema}
        | VERSIONS,
    )


def errors_of(response: Any) -> list[str]:
    return [str(error) for error in response.context["adminform"].form.errors.get("schema", [])]


def test_schema_mistakes_are_shown_beside_the_field_in_plain_words(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    admin_client(client, workspace, member_of)
    unknown_type = copy.deepcopy(SEED_FORM_SCHEMA)
    unknown_type["fields"][0]["type"] = "colour"

    broken_json = add(client, workspace, '{"fields": [')
    wrong_type = add(client, workspace, json.dumps(unknown_type))
    not_an_object = add(client, workspace, "[1, 2]")

    assert errors_of(broken_json) == ["This is not valid JSON: check for a missing comma, quote or bracket."]
    assert any("unknown field type 'colour'" in error for error in errors_of(wrong_type))
    assert errors_of(not_an_object)[0].startswith("The schema must be a JSON object")
    for response in (broken_json, wrong_type, not_an_object):
        assert response.status_code == 200
        assert "IntegrityError" not in response.content.decode()
    assert not Form.objects.exists()


def test_a_taken_slug_is_refused_in_words_not_by_the_constraint(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    form_create(workspace=workspace, title="Existing", slug="onboarding", schema=SEED_FORM_SCHEMA, acting_user=None)
    admin_client(client, workspace, member_of)

    response = add(client, workspace, json.dumps(SEED_FORM_SCHEMA))

    html = response.content.decode()
    assert "The workspace already has a form with the slug “onboarding”: choose another." in html
    assert "uniq_form_slug" not in html
    assert Form.objects.count() == 1


def test_the_slug_cannot_change_and_the_page_says_why(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    form = form_create(workspace=workspace, title="Fixed", slug="fixed", schema=SEED_FORM_SCHEMA, acting_user=None)
    admin_client(client, workspace, member_of)
    url = reverse("admin:submissions_form_change", args=[form.pk])

    page = client.get(url).content.decode()
    client.post(
        url,
        {"title": "Fixed", "slug": "renamed", "description": "", "schema": json.dumps(SEED_FORM_SCHEMA)} | VERSIONS,
    )

    assert "API clients and links name the form by it" in page
    form.refresh_from_db()
    assert form.slug == "fixed"


def test_publish_from_the_page_and_a_bad_draft_is_refused_in_words(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    form = form_create(workspace=workspace, title="Pub", schema=SEED_FORM_SCHEMA, acting_user=None)
    admin_client(client, workspace, member_of)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("admin:submissions_form_change", args=[form.pk])).content.decode()
    assert "Publish as version 1" in page and "Preview as the client sees it" in page

    published = client.post(reverse("admin:submissions_form_publish", args=[form.pk]))

    assert "Published version 1: new links and submissions use it." in [
        str(m) for m in get_messages(published.wsgi_request)
    ]
    assert FormVersion.objects.get(form=form).schema == SEED_FORM_SCHEMA
    bad = copy.deepcopy(SEED_FORM_SCHEMA)
    bad["fields"][0]["type"] = "colour"
    Form.objects.filter(pk=form.pk).update(schema=bad)  # a draft saved before the editor checked it
    refused = client.post(reverse("admin:submissions_form_publish", args=[form.pk]))
    assert any("unknown field type 'colour'" in str(m) for m in get_messages(refused.wsgi_request))
    assert FormVersion.objects.filter(form=form).count() == 1
    assert client.get(reverse("admin:submissions_form_publish", args=[form.pk])).status_code == 405


def test_a_member_reads_the_form_and_its_preview_link_but_cannot_publish(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    form = form_create(workspace=workspace, title="Seen", schema=SEED_FORM_SCHEMA, acting_user=None)
    admin_client(client, workspace, member_of, Role.MEMBER)

    page = client.get(reverse("admin:submissions_form_change", args=[form.pk])).content.decode()
    publish = client.post(reverse("admin:submissions_form_publish", args=[form.pk]))

    preview = reverse("submissions:form-preview", args=[form.public_id])
    assert f'href="{preview}"' in page  # the one renderer's preview of the draft
    assert "Publish as version" not in page
    assert client.get(preview).status_code == 200
    assert publish.status_code == 403
    assert not FormVersion.objects.exists()


def test_another_workspaces_form_is_not_published(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    theirs = form_create(workspace=other_workspace, title="Theirs", schema=SEED_FORM_SCHEMA, acting_user=None)
    admin_client(client, workspace, member_of, Role.OWNER)

    assert client.post(reverse("admin:submissions_form_publish", args=[theirs.pk])).status_code == 403
    assert not FormVersion.objects.exists()
