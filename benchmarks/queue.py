"""The review queue (the submissions changelist) on the list dataset, as its MEMBER sees it (visibility applied).

Each case is the admin page through ``django.test.Client`` (logged in, rendered HTML) against the bare rows
query of the same page: the same filter or search, order and slice on ``Submission.objects`` of the workspace,
evaluated, without visibility, count, columns, rendering or HTTP. On PostgreSQL the plan of every SELECT on the
submissions table is kept in ``extra`` and a ``Seq Scan`` on it is flagged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.runner import Result, measure
from benchmarks.submissions import ListDataset, list_dataset, submission_plans
from submissions.admin_queue import SubmissionQueueAdmin
from submissions.constants import SubmissionStatus
from submissions.models import Submission
from submissions.queue import newest_first_from_matches
from submissions.selectors import data_contains_q

QUEUE_TARGET = "median <= 100 ms at 1M (PostgreSQL), bounded queries, no full COUNT(*), no Seq Scan"


def queue_client(dataset: ListDataset) -> Client:
    """A logged-in test client of the dataset's MEMBER (staff, so the admin lets it in)."""
    if not settings.DEBUG and settings.STATIC_ROOT:  # the page links static files through the manifest (deploy/serve)
        call_command("collectstatic", interactive=False, verbosity=0)
    member = dataset.member
    if not member.is_staff:
        member.is_staff = True
        member.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(member)
    return client


def queue_cases(rows: int, repeat: int) -> list[Result]:
    dataset = list_dataset(rows)
    if connection.vendor == "postgresql":  # statistics of the search's expression index (made after the seed)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Submission._meta.db_table}")
    workspace = dataset.workspace
    client = queue_client(dataset)
    per_page = SubmissionQueueAdmin.list_per_page
    newest_first = ("-created_at", "-id")
    mine = Submission.objects.filter(workspace=workspace)
    # A client's e-mail, as a reviewer pastes it: a row in the middle of the dataset.
    wanted = f"client{rows // 2 + 7}@example.com"
    cases: list[tuple[str, dict[str, Any], Any]] = [
        ("page 1", {}, lambda: list(mine.order_by(*newest_first)[:per_page])),
        (
            "status=PENDING",
            {"status__exact": SubmissionStatus.PENDING},
            lambda: list(mine.filter(status=SubmissionStatus.PENDING).order_by(*newest_first)[:per_page]),
        ),
        (
            "search the data for an e-mail",
            {"q": wanted},
            lambda: list(newest_first_from_matches(mine.filter(data_contains_q(wanted)))[:per_page]),
        ),
    ]
    url = reverse("admin:submissions_submission_changelist")
    results = []
    for label, params, floor in cases:

        def request(params: dict[str, Any] = params) -> None:
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code

        result = measure(
            f"admin queue {label} ({rows:,} rows, as a member)",
            request,
            floor="bare rows query, same page",
            floor_fn=floor,
            repeat=repeat,
            target=QUEUE_TARGET,
        )
        result.extra = _plans(client, url, params)
        results.append(result)
    return results


def _plans(client: Client, url: str, params: dict[str, Any]) -> dict[str, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    table = Submission._meta.db_table
    plans = submission_plans(captured.captured_queries)
    return {
        "query": params,
        "queries": len(captured.captured_queries),
        "status": response.status_code,
        "seq_scan_on_submissions": any(f"Seq Scan on {table} " in p["plan"] for p in plans),
        "plans": plans,
    }
