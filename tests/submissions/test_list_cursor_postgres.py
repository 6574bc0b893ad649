"""On PostgreSQL, a page read by cursor seeks in the list's index: no OFFSET, no sequential scan."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions.models import Submission

pytestmark = pytest.mark.postgres

ROWS = 3000


@pytest.fixture(autouse=True)
def _needs_postgres(db: None) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (this test must not skip)"


def test_a_cursor_page_seeks_in_the_index(api_client: Any, form_version: Any) -> None:
    workspace = form_version.form.workspace
    Submission.objects.bulk_create(
        Submission(workspace=workspace, form=form_version.form, form_version=form_version, data={"n": n})
        for n in range(ROWS)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Submission._meta.db_table}")  # the planner knows the table is not tiny
    url = reverse("submission-list")
    walked = api_client.get(url, {"page": 150, "limit": 10}).json()["submissions"]
    cursor = api_client.get(url, {"page": 149, "limit": 10}).json()["pagination"]["nextCursor"]
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get(url, {"cursor": cursor, "limit": 10})
    assert [s["id"] for s in response.json()["submissions"]] == [s["id"] for s in walked]
    rows_sql = next(q["sql"] for q in captured.captured_queries if "first_matter_public_id" in q["sql"])
    assert "OFFSET" not in rows_sql.upper()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + rows_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on submissions_submission" not in plan, plan
    # The seek is an index condition of the list's covering index, not a filter over rows walked past.
    assert "sub_ws_created_cover" in plan, plan
    assert "Index Cond: ((workspace_id = " in plan and "created_at <= " in plan, plan
