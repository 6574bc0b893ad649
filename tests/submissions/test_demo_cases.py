"""make run's demo cases: the demo reviewer opens one with two versions and compares them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from submissions.models import Submission

pytestmark = pytest.mark.django_db


def test_demo_cases_give_the_reviewer_a_case_with_two_versions(client: Client, capsys: Any) -> None:
    call_command("seed_demo")
    call_command("demo_cases")
    call_command("demo_cases")  # idempotent
    assert "already there" in capsys.readouterr().out
    assert Submission.objects.filter(form__slug="demo-case-review").count() == 2  # seed_demo has its own
    case = Submission.objects.get(form__slug="demo-case-review", data__company_name="Northwind Trading Ltd")
    assert case.history.count() == 2 and case.notes.count() == 1

    assert client.login(username="reviewer", password="demo-reviewer-password")
    page = client.get(reverse("admin:submissions_submission_change", args=[case.pk])).content.decode()
    assert "United Kingdom (GB)" in page and "Member of a municipal council" in page
    assert "<td>System</td>" in page and "API key" not in page  # demo_cases writes as no user and no key
    first, second = case.history.order_by("history_id")
    compare = client.get(
        reverse("admin:submissions_submission_compare", args=[case.pk]),
        {"a": first.snapshot_id, "b": second.snapshot_id},
    )
    assert compare.status_code == 200 and "compliance@northwind.example" in compare.content.decode()
