"""The admin: API keys are shown once and stored hashed; staff only see their own workspaces' rows."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from workspaces.constants import Role
from workspaces.models import ApiKey


def staff_member(workspace, member_of, role=Role.ADMIN):
    from django.contrib.auth.models import Permission

    user = member_of(workspace, role, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["workspaces", "documents"]))
    return user


def test_creating_a_key_in_the_admin_shows_it_once_and_it_works(client, workspace, member_of):
    client.force_login(staff_member(workspace, member_of))

    response = client.post(
        reverse("admin:workspaces_apikey_add"),
        {"workspace": workspace.pk, "name": "ERP connector", "role": Role.MEMBER},
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    shown = re.search(r"(sk_[0-9A-Za-z]+)", " ".join(messages))
    assert shown is not None
    raw_key = shown.group(1)
    api_key = ApiKey.objects.get(name="ERP connector")
    assert api_key.role == Role.MEMBER and raw_key not in api_key.hashed_key
    assert ApiKey.objects.count() == 1

    api = APIClient()
    api.credentials(HTTP_X_API_KEY=raw_key)
    params = {"filename": "a.pdf", "contenttype": "application/pdf", "source": "field_value"}
    assert api.get(reverse("s3-presigned-post"), params).status_code == 200


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


def test_a_key_never_has_a_higher_role_than_its_creator(client, workspace, member_of):
    client.force_login(member_of(workspace, Role.ADMIN, is_staff=True))
    response = client.post(
        reverse("admin:workspaces_apikey_add"), {"workspace": workspace.pk, "name": "Escalator", "role": Role.OWNER}
    )
    assert response.status_code == 403
    assert not ApiKey.objects.filter(name="Escalator").exists()
