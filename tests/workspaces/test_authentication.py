"""Who may act in which workspace: API keys, members via X-USER-ID, and session logins."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from documents.models import Document
from workspaces.constants import Role
from workspaces.models import ApiKey
from workspaces.services import api_key_create, api_key_revoke

PRESIGN = reverse("s3-presigned-post")
PARAMS = {"filename": "a.pdf", "contenttype": "application/pdf", "source": "field_value"}


def key_client(raw_key, **headers):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw_key, **headers)
    return client


def assert_error(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["details"], dict)


def test_no_credentials_is_401(db):
    assert_error(APIClient().get(PRESIGN, PARAMS), 401, "NOT_AUTHENTICATED")
    assert Document.objects.count() == 0


def test_unknown_key_is_401(db):
    assert_error(key_client("sk_not-a-real-key").get(PRESIGN, PARAMS), 401, "AUTHENTICATION_FAILED")


def test_revoked_key_is_401(workspace):
    api_key, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)
    assert key_client(raw_key).get(PRESIGN, PARAMS).status_code == 200
    api_key_revoke(api_key=api_key, acting_user=None)

    assert_error(key_client(raw_key).get(PRESIGN, PARAMS), 401, "AUTHENTICATION_FAILED")


def test_key_is_stored_hashed_and_records_last_use(workspace):
    api_key, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert raw_key not in (stored.hashed_key, stored.prefix, stored.name)
    assert stored.last_used_at is None

    key_client(raw_key).get(PRESIGN, PARAMS)

    stored.refresh_from_db()
    assert stored.last_used_at is not None and stored.last_used_at <= timezone.now()


def test_business_id_of_another_workspace_is_403_and_leaks_nothing(workspace, other_workspace):
    _, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)
    client = key_client(raw_key, HTTP_X_BUSINESS_ID=str(other_workspace.public_id))

    response = client.get(PRESIGN, PARAMS)

    assert_error(response, 403, "WORKSPACE_ACCESS_DENIED")
    text = response.content.decode()
    for secret in (other_workspace.name, str(workspace.public_id), workspace.name):
        assert secret not in text
    assert Document.objects.count() == 0


@pytest.mark.parametrize("business_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_malformed_or_unknown_business_id_is_403(workspace, business_id):
    _, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)
    assert_error(
        key_client(raw_key, HTTP_X_BUSINESS_ID=business_id).get(PRESIGN, PARAMS), 403, "WORKSPACE_ACCESS_DENIED"
    )


def test_own_business_id_is_accepted(workspace):
    _, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)
    client = key_client(raw_key, HTTP_X_BUSINESS_ID=str(workspace.public_id))
    assert client.get(PRESIGN, PARAMS).status_code == 200


@pytest.mark.parametrize("user_id", ["foreign", "nobody", "not-a-number", "-1"])
def test_user_id_that_is_not_a_member_is_403(workspace, other_workspace, member_of, user_id):
    outsider = member_of(other_workspace, Role.OWNER)
    ids = {"foreign": str(outsider.pk), "nobody": "999999", "not-a-number": "abc", "-1": "-1"}
    _, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)

    response = key_client(raw_key, HTTP_X_USER_ID=ids[user_id]).get(PRESIGN, PARAMS)

    assert_error(response, 403, "WORKSPACE_ACCESS_DENIED")
    assert Document.objects.count() == 0


def test_member_user_id_acts_as_that_member(workspace, member_of):
    member = member_of(workspace, Role.MEMBER)  # a VIEWER only reads: it may not upload
    _, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)

    response = key_client(raw_key, HTTP_X_USER_ID=str(member.pk)).get(PRESIGN, PARAMS)

    assert response.status_code == 200
    assert Document.objects.get().created_by == member


def test_inactive_member_cannot_be_acted_as(workspace, member_of):
    member = member_of(workspace)
    member.is_active = False
    member.save()
    _, raw_key = api_key_create(workspace=workspace, name="ci", acting_user=None)
    assert_error(
        key_client(raw_key, HTTP_X_USER_ID=str(member.pk)).get(PRESIGN, PARAMS), 403, "WORKSPACE_ACCESS_DENIED"
    )


# --- Session logins -------------------------------------------------------------------------------


def test_session_user_with_one_workspace_acts_in_it(client, workspace, member_of):
    user = member_of(workspace)
    client.force_login(user)

    assert client.get(PRESIGN, PARAMS).status_code == 200
    assert Document.objects.get().workspace == workspace


def test_session_user_with_several_workspaces_must_choose(client, workspace, other_workspace, member_of):
    user = member_of(workspace)
    member_of(other_workspace, username=user.username)  # same user, second workspace
    client.force_login(user)

    assert_error(client.get(PRESIGN, PARAMS), 403, "WORKSPACE_NOT_SELECTED")

    chosen = client.post(reverse("choose-workspace"), {"workspace": str(other_workspace.public_id)})
    assert chosen.status_code == 302
    assert client.get(PRESIGN, PARAMS).status_code == 200
    assert Document.objects.get().workspace == other_workspace

    # X-BUSINESS-ID picks explicitly, per request.
    response = client.get(PRESIGN, PARAMS, HTTP_X_BUSINESS_ID=str(workspace.public_id))
    assert response.status_code == 200
    assert Document.objects.filter(workspace=workspace).count() == 1


def test_session_user_cannot_choose_or_name_a_workspace_they_do_not_belong_to(
    client, workspace, other_workspace, member_of
):
    user = member_of(workspace)
    client.force_login(user)

    refused = client.post(reverse("choose-workspace"), {"workspace": str(other_workspace.public_id)})
    assert refused.status_code == 403
    assert other_workspace.name not in refused.content.decode()

    response = client.get(PRESIGN, PARAMS, HTTP_X_BUSINESS_ID=str(other_workspace.public_id))
    assert_error(response, 403, "WORKSPACE_ACCESS_DENIED")
    assert Document.objects.count() == 0


def test_session_user_without_workspace_is_403(client, db):
    from tests.workspaces.factories import UserFactory

    client.force_login(UserFactory())
    assert_error(client.get(PRESIGN, PARAMS), 403, "WORKSPACE_ACCESS_DENIED")


def test_session_writes_need_the_csrf_token(workspace, member_of):
    user = member_of(workspace)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("s3-success"), {"uuid": "7f3bcc87-1cb1-4d0c-9656-5d3c36418e1a"}, format="json")
    assert_error(response, 403, "PERMISSION_DENIED")
    assert "CSRF" in response.json()["error"]
