"""Oversight relationships in the admin: set up by the platform operator through the service, refused in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.constants import AuditAction
from audit.models import AuditEvent
from tests.workspaces.factories import WorkspaceFactory
from workspaces.constants import Role
from workspaces.models import OversightRelationship, Workspace

ADD_URL = "admin:workspaces_oversightrelationship_add"


def operator(client: Client) -> User:
    user = User.objects.create_superuser("operator", "op@example.com", "x")
    client.force_login(user)
    return user


def oversight_rows() -> list[tuple[str, int | None, str, str, bool]]:
    rows = AuditEvent.objects.filter(target_type="oversight").order_by("id")
    return [(e.action, e.workspace_id, e.actor_label, e.details["overseer"], e.details["active"]) for e in rows]


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
    assert not AuditEvent.objects.filter(target_type="oversight").exists()


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
    # Recorded once, in the overseen workspace (whose submissions it opens), naming the operator.
    assert oversight_rows() == [(AuditAction.OVERSIGHT_CREATED, workspace.pk, "operator", "Other Tenant", True)]
    event = AuditEvent.objects.get(target_type="oversight")
    assert (event.target_id, event.details["overseerId"]) == (str(oversight.pk), str(other_workspace.public_id))


def test_deactivating_and_activating_an_oversight_are_recorded_and_take_effect(
    client: Client, workspace: Workspace, other_workspace: Workspace
) -> None:
    operator(client)
    oversight = OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace)
    url = reverse("admin:workspaces_oversightrelationship_change", args=[oversight.pk])

    off = client.post(url, {})  # the checkbox unticked
    unchanged = client.post(url, {})  # saved again as it is: no change, no row
    on = client.post(url, {"active": "on"})

    assert (off.status_code, unchanged.status_code, on.status_code) == (302, 302, 302)
    oversight.refresh_from_db()
    assert oversight.active is True
    assert oversight_rows() == [
        (AuditAction.OVERSIGHT_DEACTIVATED, workspace.pk, "operator", "Other Tenant", False),
        (AuditAction.OVERSIGHT_ACTIVATED, workspace.pk, "operator", "Other Tenant", True),
    ]


def test_a_deactivation_is_kept(client: Client, workspace: Workspace, other_workspace: Workspace) -> None:
    operator(client)
    oversight = OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace)

    client.post(reverse("admin:workspaces_oversightrelationship_change", args=[oversight.pk]), {})

    oversight.refresh_from_db()
    assert oversight.active is False


def test_a_workspace_owner_cannot_add_oversight(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))

    response = client.post(
        reverse(ADD_URL), {"overseer_workspace": other_workspace.pk, "overseen_workspace": workspace.pk}
    )

    assert response.status_code == 403
    assert not OversightRelationship.objects.exists()
    assert not AuditEvent.objects.filter(target_type="oversight").exists()


def test_a_workspace_owner_cannot_deactivate_an_oversight_and_nothing_is_recorded(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    oversight = OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace)
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))

    response = client.post(reverse("admin:workspaces_oversightrelationship_change", args=[oversight.pk]), {})

    assert response.status_code == 403
    oversight.refresh_from_db()
    assert oversight.active is True
    assert not AuditEvent.objects.filter(target_type="oversight").exists()


def test_the_oversight_pages_keep_a_query_budget(
    client: Client,
    workspace: Workspace,
    member_of: Callable[..., Any],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    """Measured 5, 6 and 6 queries with seven rows: the list joins both workspaces (an N+1 would add one per row)."""
    overseers = [WorkspaceFactory.create(name=f"Auditor {n}") for n in range(6)]
    oversights = [OversightRelationship.objects.create(overseer=o, overseen=workspace) for o in overseers]
    elsewhere = WorkspaceFactory.create(name="Elsewhere Ltd")
    OversightRelationship.objects.create(overseer=overseers[0], overseen=elsewhere)  # not the owner's to see
    operator(client)

    with django_assert_max_num_queries(6):
        changelist = client.get(reverse("admin:workspaces_oversightrelationship_changelist"))
    with django_assert_max_num_queries(7):
        change = client.get(reverse("admin:workspaces_oversightrelationship_change", args=[oversights[0].pk]))

    assert changelist.status_code == 200 and "Elsewhere Ltd" in changelist.content.decode()
    assert all(f"Auditor {n}" in changelist.content.decode() for n in range(6))
    assert change.status_code == 200 and "Auditor 0" in change.content.decode()

    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))
    with django_assert_max_num_queries(7):
        scoped = client.get(reverse("admin:workspaces_oversightrelationship_changelist"))
    assert scoped.status_code == 200
    assert all(f"Auditor {n}" in scoped.content.decode() for n in range(6))
    assert "Elsewhere Ltd" not in scoped.content.decode()
