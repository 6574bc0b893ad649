"""The submission's admin page shows its answers as a reviewer reads them, not the stored JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from submissions.models import FormVersion, Submission
from tests.submissions.schemas import SEED_FORM_SCHEMA, SEED_SUBMISSION_DATA
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def test_the_change_page_renders_labels_tables_and_country_names(
    client: Client,
    workspace: Workspace,
    member_of: Callable[..., Any],
    publish_form: Callable[..., FormVersion],
    make_submission: Callable[..., Submission],
    django_assert_max_num_queries: Any,
) -> None:
    user = member_of(workspace, Role.ADMIN, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="submissions"))
    client.force_login(user)
    submission = make_submission(publish_form(workspace, SEED_FORM_SCHEMA), SEED_SUBMISSION_DATA)

    with django_assert_max_num_queries(22):  # the read's audit row and the recent evidence packs included
        response = client.get(reverse("admin:submissions_submission_change", args=[submission.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Answers" in html
    assert "United States (US)" in html
    assert "High risk, Politically exposed person" in html
    assert "<h3>Shareholders</h3>" in html and "456 Oak Ave" in html
    assert '<th scope="col">Class</th>' in html and "Preference" in html
