"""Two concurrent submissions claiming one reference: the database constraint lets exactly one win (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from tests.workflows.public_action_support import (
    SEED_ROLE_ENTITY_BODY,
    confirm_url,
    make_action,
    submit_url,
    upload_all,
)
from workflows.models import PublicAction, Relation, SubjectRecord
from workflows.services.public_actions import submit as service
from workspaces.models import Workspace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(tokens: list[str], barrier: threading.Barrier | None) -> list[Any]:
    results: list[Any] = [None] * len(tokens)

    def run(index: int) -> None:
        try:
            response = APIClient().post(submit_url(tokens[index]), SEED_ROLE_ENTITY_BODY, format="json")
            results[index] = (response.status_code, response.json())
        except Exception as exc:  # recorded, so the assertion shows it instead of a lost thread
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _assert_one_winner(results: list[Any], workspace: Workspace) -> None:
    statuses = sorted(result[0] for result in results)
    assert statuses == [200, 400], results
    loser = next(body for status, body in results if status == 400)
    assert loser["success"] is False
    assert loser["code"] == "DUPLICATE_REFERENCE"
    assert set(loser["details"]["references"]) <= {"company_reference_id_1", "owner_reference_id_1"}
    assert SubjectRecord.objects.filter(workspace=workspace, reference="owner_reference_id_1").count() == 1
    assert SubjectRecord.objects.filter(workspace=workspace, reference="company_reference_id_1").count() == 1
    assert Relation.objects.count() == 2  # only the winner's
    assert sorted(PublicAction.objects.values_list("status", flat=True)) == ["AWAITING_UPLOADS", "OPEN"]


def test_both_pass_the_check_then_the_constraint_decides(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both requests are held after the reference pre-check, so both reach the INSERT: the unique index decides."""
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (this test needs PostgreSQL)"
    tokens = [make_action(workspace)[1] for _ in range(2)]
    barrier = threading.Barrier(2, timeout=20)
    real_check = service.check_references

    def check_then_wait(*args: Any, **kwargs: Any) -> None:
        real_check(*args, **kwargs)
        barrier.wait()

    monkeypatch.setattr(service, "check_references", check_then_wait)

    results = _race(tokens, barrier)

    _assert_one_winner(results, workspace)


def test_unsynchronised_race_has_one_winner_and_no_500(workspace: Workspace) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (this test needs PostgreSQL)"
    tokens = [make_action(workspace)[1] for _ in range(2)]

    results = _race(tokens, None)

    _assert_one_winner(results, workspace)


def test_two_concurrent_confirms_both_answer_completed_once(workspace: Workspace, tmp_path: Any) -> None:
    """The action row is locked: the second confirm waits, then finds the action completed (no double work)."""
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (this test needs PostgreSQL)"
    action, token = make_action(workspace)
    uploads = APIClient().post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json").json()["fileUploads"]
    upload_all(uploads, tmp_path)
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            response = APIClient().post(confirm_url(token))
            results[index] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results == [(200, {"status": "completed"})] * 2
    action.refresh_from_db()
    assert action.status == "COMPLETED"
    assert action.history.filter(status="COMPLETED").count() == 1
