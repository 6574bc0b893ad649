"""The admin: API keys are shown once and stored hashed; staff only see their own workspaces' rows."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from audit.constants import AuditAction
from audit.models import AuditEvent
from workspaces.constants import Role
from workspaces.models import ApiKey


def staff_member(workspace, member_of, role=Role.ADMIN):
    from django.contrib.auth.models import Permission

    user = member_of(workspace, role, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["workspaces", "documents"]))
    return user


def test_creating_a_key_in_the_admin_shows_its_secret_once_on_its_page_and_it_works(
    client, workspace, member_of, django_assert_max_num_queries
):
    client.force_login(staff_member(workspace, member_of))

    response = client.post(
        reverse("admin:workspaces_apikey_add"),
        {"workspace": workspace.pk, "name": "ERP connector", "role": Role.MEMBER},
    )

    api_key = ApiKey.objects.get(name="ERP connector")
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:workspaces_apikey_change", args=[api_key.pk]
    )
    with django_assert_max_num_queries(12):
        page = client.get(response["Location"]).content.decode()
    shown = re.search(r'id="new-secret" value="(sk_[0-9A-Za-z]+)"', page)
    assert shown is not None and 'data-copy="new-secret"' in page
    raw_key = shown.group(1)
    assert api_key.role == Role.MEMBER and raw_key not in api_key.hashed_key and api_key.prefix == raw_key[:10]
    assert raw_key not in " ".join(str(m) for m in get_messages(response.wsgi_request))  # not kept in a message
    assert raw_key not in client.get(response["Location"]).content.decode()  # shown once
    assert ApiKey.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_CREATED, target_id=str(api_key.pk)).exists()

    api = APIClient()
    api.credentials(HTTP_X_API_KEY=raw_key)
    params = {"filename": "a.pdf", "contenttype": "application/pdf", "source": "field_value"}
    assert api.get(reverse("s3-presigned-post"), params).status_code == 200


def test_the_revoke_button_on_a_keys_page_ends_it(client, workspace, member_of):
    from workspaces.services import api_key_create

    api_key, raw_key = api_key_create(workspace=workspace, name="old", acting_user=None)
    client.force_login(staff_member(workspace, member_of))
    page = reverse("admin:workspaces_apikey_change", args=[api_key.pk])
    revoke = reverse("admin:workspaces_apikey_revoke", args=[api_key.pk])
    assert revoke in client.get(page).content.decode()

    assert client.get(revoke).status_code == 405
    response = client.post(revoke, follow=True)

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    html = response.content.decode()
    assert "revoked: requests with it are refused" in html and revoke not in html and "Revoked" in html
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_REVOKED, target_id=str(api_key.pk)).count() == 1
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=raw_key)
    assert api.get(reverse("s3-presigned-post")).status_code == 401


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_neither_see_nor_make_nor_revoke_keys(client, workspace, member_of, role):
    from workspaces.services import api_key_create

    api_key, _ = api_key_create(workspace=workspace, name="ci", acting_user=None)
    client.force_login(member_of(workspace, role, is_staff=True))

    assert client.get(reverse("admin:workspaces_apikey_changelist")).status_code == 403
    created = client.post(
        reverse("admin:workspaces_apikey_add"), {"workspace": workspace.pk, "name": "x", "role": role}
    )
    assert created.status_code == 403
    client.post(reverse("admin:workspaces_apikey_revoke", args=[api_key.pk]))
    api_key.refresh_from_db()
    assert api_key.revoked_at is None and ApiKey.objects.count() == 1


def test_revoke_action_disables_keys(client, workspace, member_of):
    from workspaces.services import api_key_create

    api_key, raw_key = api_key_create(workspace=workspace, name="old", acting_user=None)
    client.force_login(staff_member(workspace, member_of))

    client.post(
        reverse("admin:workspaces_apikey_changelist"), {"action": "revoke_keys", "_selected_action": [api_key.pk]}
    )

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=raw_key)
    assert api.get(reverse("s3-presigned-post")).status_code == 401


def test_staff_see_only_their_workspaces(client, workspace, other_workspace, member_of, django_assert_max_num_queries):
    from workspaces.services import api_key_create

    api_key_create(workspace=workspace, name="mine", acting_user=None)
    foreign, _ = api_key_create(workspace=other_workspace, name="theirs", acting_user=None)
    client.force_login(staff_member(workspace, member_of))

    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:workspaces_apikey_changelist"))
    assert "mine" in page.content.decode() and "theirs" not in page.content.decode()
    assert client.get(reverse("admin:workspaces_apikey_change", args=[foreign.pk])).status_code == 302
    workspaces_page = client.get(reverse("admin:workspaces_workspace_changelist")).content.decode()
    assert workspace.name in workspaces_page and other_workspace.name not in workspaces_page


def test_non_staff_cannot_use_the_admin(client, workspace, member_of):
    client.force_login(member_of(workspace, Role.OWNER))
    response = client.get(reverse("admin:workspaces_apikey_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def members_form(workspace, rows, initial=0):
    data = {
        "name": workspace.name,
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": initial,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"memberships-{index}-{key}": value for key, value in row.items()})
    return data


def test_an_admin_adds_a_member_by_login_but_cannot_grant_owner(client, workspace, member_of):
    from tests.workspaces.factories import UserFactory
    from workspaces.models import Membership

    admin_user = member_of(workspace, Role.ADMIN, is_staff=True)
    client.force_login(admin_user)
    newcomer = UserFactory.create(username="newcomer")
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    existing = Membership.objects.get(user=admin_user)
    keep = {"id": existing.pk, "workspace": workspace.pk, "role": Role.ADMIN}

    client.post(url, members_form(workspace, [keep, {"username": "newcomer", "role": Role.MEMBER}], initial=1))
    assert Membership.objects.get(user=newcomer, workspace=workspace).role == Role.MEMBER

    response = client.post(url, members_form(workspace, [{**keep, "role": Role.OWNER}], initial=1), follow=True)
    assert "Only an owner" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert Membership.objects.get(user=admin_user).role == Role.ADMIN


def test_a_member_cannot_manage_members(client, workspace, member_of):
    from workspaces.models import Membership

    member = member_of(workspace, Role.MEMBER, is_staff=True)
    client.force_login(member)
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    mine = {"id": Membership.objects.get(user=member).pk, "workspace": workspace.pk, "role": Role.OWNER}
    assert client.post(url, members_form(workspace, [mine], initial=1)).status_code == 403
    assert Membership.objects.get(user=member).role == Role.MEMBER


def test_a_key_never_has_a_higher_role_than_its_creator_said_beside_the_field(client, workspace, member_of):
    client.force_login(member_of(workspace, Role.ADMIN, is_staff=True))
    response = client.post(
        reverse("admin:workspaces_apikey_add"), {"workspace": workspace.pk, "name": "Escalator", "role": Role.OWNER}
    )
    assert response.status_code == 200
    assert "A key cannot have a higher role than yours: as Admin you can give it Admin or a lower role, not Owner." in (
        response.content.decode()
    )
    assert not ApiKey.objects.filter(name="Escalator").exists()


def _messages(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_an_owner_changes_a_role_and_removes_a_member_each_audited(
    client, workspace, member_of, django_assert_max_num_queries
):
    from workspaces.models import Membership

    owner = member_of(workspace, Role.OWNER, is_staff=True)
    colleague = member_of(workspace, Role.MEMBER, username="colleague")
    leaver = member_of(workspace, Role.VIEWER, username="leaver")
    client.force_login(owner)
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    rows = {m.user_id: m for m in Membership.objects.filter(workspace=workspace)}

    def row(user, role, **extra):
        return {"id": rows[user.pk].pk, "workspace": workspace.pk, "role": role, **extra}

    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "colleague" in page and "leaver" in page

    body = members_form(
        workspace,
        [row(owner, Role.OWNER), row(colleague, Role.ADMIN), row(leaver, Role.VIEWER, DELETE="on")],
        initial=3,
    )
    assert client.post(url, body).status_code == 302

    assert Membership.objects.get(user=colleague, workspace=workspace).role == Role.ADMIN
    assert not Membership.objects.filter(user=leaver, workspace=workspace).exists()
    changed = AuditEvent.objects.get(action=AuditAction.MEMBER_ROLE_CHANGED)
    assert changed.details["previousRole"] == Role.MEMBER and changed.actor_user_id == owner.pk
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_REMOVED, target_id=str(leaver.pk)).count() == 1


def test_the_last_owner_cannot_leave_and_an_admin_cannot_remove_an_owner_said_in_words(client, workspace, member_of):
    from workspaces.models import Membership

    owner = member_of(workspace, Role.OWNER, is_staff=True)
    admin_user = member_of(workspace, Role.ADMIN, is_staff=True)
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    owner_row = {"id": Membership.objects.get(user=owner).pk, "workspace": workspace.pk, "role": Role.OWNER}

    client.force_login(owner)
    demoted = client.post(url, members_form(workspace, [{**owner_row, "role": Role.ADMIN}], initial=1), follow=True)
    assert "A workspace keeps at least one owner." in _messages(demoted)

    client.force_login(admin_user)
    removed = client.post(url, members_form(workspace, [{**owner_row, "DELETE": "on"}], initial=1), follow=True)
    assert "Only an owner grants, changes or removes the owner role." in _messages(removed)

    assert Membership.objects.get(user=owner).role == Role.OWNER
    assert not AuditEvent.objects.filter(action__startswith="member_").exists()


def test_adding_an_unknown_login_is_refused_beside_the_field(client, workspace, member_of):
    from workspaces.models import Membership

    client.force_login(member_of(workspace, Role.ADMIN, is_staff=True))
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])

    response = client.post(url, members_form(workspace, [{"username": "nobody-here", "role": Role.MEMBER}]))

    assert response.status_code == 200
    assert "No active user with this login." in response.content.decode()
    assert Membership.objects.filter(workspace=workspace).count() == 1


def test_a_viewer_reads_the_members_but_has_no_form_to_change_them(client, workspace, member_of):
    from workspaces.models import Membership

    viewer = member_of(workspace, Role.VIEWER, is_staff=True)
    client.force_login(viewer)
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])

    page = client.get(url).content.decode()
    assert viewer.username in page and 'name="memberships-0-role"' not in page
    mine = {"id": Membership.objects.get(user=viewer).pk, "workspace": workspace.pk, "role": Role.OWNER}
    assert client.post(url, members_form(workspace, [mine], initial=1)).status_code == 403
    assert Membership.objects.get(user=viewer).role == Role.VIEWER
