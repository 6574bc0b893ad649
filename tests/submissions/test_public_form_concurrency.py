"""Two Sends of one page visit at once (a double click that beat the disabled button, two tabs): one submission,
and both answers lead to its confirmation (PostgreSQL, whose row locks are real)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from submissions.models import Submission
from submissions.services import public_forms
from tests.submissions.public_form_support import make_form, new_visit, page_url, send
from workspaces.models import Workspace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_sends_of_one_visit_write_one_submission(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    form = make_form(workspace)
    page, visit = page_url(form), new_visit()
    barrier = threading.Barrier(2, timeout=30)
    checked = public_forms._file_errors

    def both_checked(*args: Any) -> Any:  # both requests pass the check before either writes
        result = checked(*args)
        barrier.wait()
        return result

    monkeypatch.setattr(public_forms, "_file_errors", both_checked)
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            answers = {"full_name": f"Jane {'Doe' if index else 'Roe'}", "email": "jane@example.com"}
            response = send(Client(), page, visit, answers)
            results[index] = (response.status_code, response.json())
        except Exception as exc:  # recorded, so the assertion shows it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [result[0] for result in results] == [200, 200], results
    submission = Submission.objects.get()
    assert {body["reference"] for _, body in results} == {submission.public_id}
    # The second Send changed nothing: one snapshot, still as first sent.
    assert submission.status == "COMPLETED" and submission.history.count() == 1
