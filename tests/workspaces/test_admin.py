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
