"""Writes that have no history of their own (forms, matters, the workspace's name, API keys) are audited with who
made them: a user, or the API key that called."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from audit.constants import AuditAction
from audit.models import AuditEvent
from submissions.models import Matter
from tests.submissions.test_forms_api import create_form
from tests.workspaces.test_admin import members_form
from workspaces.constants import Role
from workspaces.models import ApiKey
from workspaces.services import api_key_create


def actions(**filters: Any) -> list[tuple[str, str, str]]:
    rows = AuditEvent.objects.filter(**filters).order_by("id")
    return [(row.action, row.actor_label, row.actor_api_key) for row in rows]


def test_form_edits_publishing_and_archiving_name_the_calling_key(api_client: Any, workspace: Any) -> None:
    form = create_form(api_client)
    detail = reverse("form-detail", args=[form["id"]])
    assert api_client.patch(detail, {"title": "KYC v2"}, format="json").status_code == 200
    assert api_client.post(reverse("form-publish", args=[form["id"]])).status_code == 201
    assert api_client.post(reverse("form-archive", args=[form["id"]])).status_code == 200
    assert api_client.post(reverse("form-archive", args=[form["id"]])).status_code == 200  # already archived

    rows = actions(workspace=workspace, target_type="form", target_id=form["id"])
    assert rows == [
        (AuditAction.FORM_UPDATED, "API key test key", "test key"),
        (AuditAction.FORM_PUBLISHED, "API key test key", "test key"),
        (AuditAction.FORM_ARCHIVED, "API key test key", "test key"),
    ]


def test_a_refused_form_edit_records_nothing(api_client: Any, workspace: Any) -> None:
    form = create_form(api_client)
    api_client.post(reverse("form-archive", args=[form["id"]]))
    before = AuditEvent.objects.count()
    refused = api_client.patch(reverse("form-detail", args=[form["id"]]), {"title": "x"}, format="json")
    assert refused.status_code == 409
    assert AuditEvent.objects.count() == before


def test_matters_and_the_workspace_name_changed_in_the_admin_name_the_member(
    client: Any, workspace: Any, member_of: Any
) -> None:
    admin_user = member_of(workspace, Role.ADMIN, is_staff=True, username="ada")
    client.force_login(admin_user)
    management = {f"links-{key}": value for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))}
    client.post(
        reverse("admin:submissions_matter_add"),
        {"workspace": workspace.pk, "number_prefix": "MAT", "title": "Acme review", **management},
    )
    matter = Matter.objects.get(workspace=workspace)
    assert actions(target_type="matter") == [(AuditAction.MATTER_CREATED, "ada", "")]
    assert AuditEvent.objects.get(target_id=matter.public_id).details["number"] == "MAT-1"

    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    own = {"id": admin_user.memberships.get().pk, "workspace": workspace.pk, "role": Role.ADMIN}
    client.post(url, {**members_form(workspace, [own], initial=1), "name": "Acme Compliance EU"})
    renamed = AuditEvent.objects.get(action=AuditAction.WORKSPACE_RENAMED)
    assert (renamed.actor_label, renamed.details["previousName"], renamed.details["name"]) == (
        "ada",
        workspace.name,
        "Acme Compliance EU",
    )


def test_revoking_a_key_in_the_admin_names_who_revoked_it(client: Any, workspace: Any, member_of: Any) -> None:
    owner = member_of(workspace, Role.OWNER, is_staff=True, username="olga")
    key, _ = api_key_create(workspace=workspace, name="CI key", acting_user=owner)
    client.force_login(owner)
    changelist = reverse("admin:workspaces_apikey_changelist")
    response = client.post(changelist, {"action": "revoke_keys", "_selected_action": [key.pk]})
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert actions(action=AuditAction.API_KEY_REVOKED) == [(AuditAction.API_KEY_REVOKED, "olga", "")]
