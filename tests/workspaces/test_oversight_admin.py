"""Oversight relationships in the admin: set up by the platform operator through the service, refused in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from workspaces.constants import Role
from workspaces.models import OversightRelationship, Workspace

ADD_URL = "admin:workspaces_oversightrelationship_add"


def operator(client: Client) -> None:
    client.force_login(User.objects.create_superuser("operator", "op@example.com", "x"))


def test_self_oversight_is_refused_in_words_and_nothing_is_written(client: Client, workspace: Workspace) -> None:
    operator(client)

    response = client.post(
        reverse(ADD_URL), {"overseer_workspace": workspace.pk, "overseen_workspace": workspace.pk, "active": "on"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Compliance cannot oversee itself: choose another workspace." in html
    assert "oversight_not_self" not in html  # never the constraint's name
    assert not OversightRelationship.objects.exists()


def test_operator_adds_an_oversight_once(client: Client, workspace: Workspace, other_workspace: Workspace) -> None:
    operator(client)
    body = {"overseer_workspace": other_workspace.pk, "overseen_workspace": workspace.pk, "active": "on"}

    created = client.post(reverse(ADD_URL), body)
    again = client.post(reverse(ADD_URL), body)

    assert created.status_code == 302
    oversight = OversightRelationship.objects.get()
    assert (oversight.overseer, oversight.overseen, oversight.active) == (other_workspace, workspace, True)
    assert again.status_code == 200
    assert "Other Tenant already oversees Acme Compliance." in again.content.decode()
    assert OversightRelationship.objects.count() == 1


def test_a_workspace_owner_cannot_add_oversight(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))

    response = client.post(
        reverse(ADD_URL), {"overseer_workspace": other_workspace.pk, "overseen_workspace": workspace.pk}
    )

    assert response.status_code == 403
    assert not OversightRelationship.objects.exists()
