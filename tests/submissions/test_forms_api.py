"""/api/forms: list, create, retrieve, update the draft, publish (a new immutable version), archive."""

from __future__ import annotations

import copy
from typing import Any

from django.urls import reverse

from submissions.models import Form, FormVersion
from tests.submissions.schemas import SEED_FORM_SCHEMA
from workspaces.constants import Role


def create_form(client: Any, **body: Any) -> dict[str, Any]:
    body.setdefault("title", "Client onboarding")
    body.setdefault("schema", copy.deepcopy(SEED_FORM_SCHEMA))
    response = client.post(reverse("form-list"), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_retrieve_update_publish_archive(api_client: Any) -> None:
    form = create_form(api_client, description="KYC for new clients")
    assert form["id"].startswith("frm_")
    assert form["status"] == "draft"
    assert form["slug"] == "client-onboarding"
    assert form["currentVersion"] is None and form["versions"] == []

    detail = api_client.get(reverse("form-detail", args=[form["id"]])).json()
    assert detail["schema"] == SEED_FORM_SCHEMA

    response = api_client.post(reverse("form-publish", args=[form["id"]]))
    assert response.status_code == 201
    published = response.json()
    assert published["form"]["status"] == "published"
    assert published["formVersion"]["version"] == 1
    assert published["formVersion"]["schema"] == SEED_FORM_SCHEMA
    first_version_id = published["formVersion"]["id"]

    # Editing the draft leaves the published version as it was; publishing again makes version 2.
    new_schema = copy.deepcopy(SEED_FORM_SCHEMA)
    new_schema["fields"].append({"key": "notes", "label": "Notes", "type": "textarea"})
    response = api_client.patch(
        reverse("form-detail", args=[form["id"]]), {"schema": new_schema, "title": "KYC v2"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "KYC v2"
    assert FormVersion.objects.get(public_id=first_version_id).schema == SEED_FORM_SCHEMA
    second = api_client.post(reverse("form-publish", args=[form["id"]])).json()
    assert second["formVersion"]["version"] == 2
    assert [v["version"] for v in second["form"]["versions"]] == [2, 1]
    assert second["form"]["currentVersion"]["version"] == 2

    archived = api_client.post(reverse("form-archive", args=[form["id"]]))
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    refused = api_client.patch(reverse("form-detail", args=[form["id"]]), {"title": "x"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "FORM_ARCHIVED"
    assert api_client.post(reverse("form-publish", args=[form["id"]])).json()["code"] == "FORM_ARCHIVED"


def test_publishing_an_invalid_schema_is_refused_and_changes_nothing(api_client: Any) -> None:
    form = create_form(api_client, schema={"fields": [{"key": "a", "type": "colour"}]})
    response = api_client.post(reverse("form-publish", args=[form["id"]]))
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["code"] == "INVALID_FORM_SCHEMA"
    assert "unknown field type 'colour'" in body["error"]
    assert not FormVersion.objects.exists()
    assert Form.objects.get(public_id=form["id"]).status == "draft"


def test_list_is_paginated_filtered_and_scoped_to_the_workspace(
    api_client: Any, other_workspace: Any, api_client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        create_form(api_client, title=f"Form {n}")
    other = api_client_for(other_workspace)
    create_form(other, title="Someone else's")
    with django_assert_max_num_queries(6):
        body = api_client.get(reverse("form-list"), {"limit": 2}).json()
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 3, "pages": 2}
    assert [f["title"] for f in body["forms"]] == ["Form 2", "Form 1"]
    assert api_client.get(reverse("form-list"), {"status": "published"}).json()["forms"] == []
    foreign = other.get(reverse("form-list")).json()["forms"][0]["id"]
    assert api_client.get(reverse("form-detail", args=[foreign])).status_code == 404
    assert api_client.post(reverse("form-publish", args=[foreign])).status_code == 404


def test_only_admins_and_owners_manage_forms(workspace: Any, member_of: Any, api_client_for: Any) -> None:
    member = api_client_for(workspace, user=member_of(workspace, Role.MEMBER))
    response = member.post(reverse("form-list"), {"title": "x"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "INSUFFICIENT_ROLE"
    assert member.get(reverse("form-list")).status_code == 200


def test_bad_bodies_get_a_400_in_the_error_shape(api_client: Any) -> None:
    response = api_client.post(reverse("form-list"), {"schema": []}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and "title" in response.json()["details"]["fields"]
    form = create_form(api_client)
    response = api_client.patch(reverse("form-detail", args=[form["id"]]), {"schema": "nope"}, format="json")
    assert response.status_code == 400


def test_a_taken_slug_is_refused_in_the_words_the_admin_shows_and_a_title_slug_is_numbered(api_client: Any) -> None:
    create_form(api_client, slug="onboarding")

    taken = api_client.post(
        reverse("form-list"), {"title": "Again", "slug": "onboarding", "schema": SEED_FORM_SCHEMA}, format="json"
    )

    message = "The workspace already has a form with the slug “onboarding”: choose another."
    assert taken.status_code == 400
    assert taken.json() == {
        "success": False,
        "error": message,
        "code": "VALIDATION_ERROR",
        "details": {"fields": {"slug": [message]}},
    }
    assert Form.objects.count() == 1
    assert create_form(api_client, title="Onboarding")["slug"] == "onboarding-2"
