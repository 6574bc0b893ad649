"""Submissions cases: the list at 100k rows (SQLite) and 1M rows (PostgreSQL), and snapshot growth.

The list dataset is one workspace of N submissions, seeded once with one ``INSERT ... SELECT`` per table
(``generate_series`` on PostgreSQL, a recursive CTE on SQLite) and reused by every later run: its workspace's
slug is ``bench-list-v1-<N>`` and it is written in one transaction, so a slug that exists is a whole dataset.

Every list case goes through the HTTP surface (``django.test.Client``, the API key plus ``X-USER-ID`` of a
MEMBER, so the visibility filter applies) and is compared with the bare rows query of the same page: the same
filters, order and slice on ``Submission.objects`` (for a page read by cursor, the same seek past the cursor's
row), evaluated, without visibility, count, matters, rendering or HTTP. On PostgreSQL the EXPLAIN ANALYZE of
every SELECT the request runs is kept in the result's ``extra``, and a ``Seq Scan`` on the submissions table is
flagged.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks.runner import Result, measure
from submissions.constants import PAGE_IDS_FUNCTION, GrantTargetType, SubmissionStatus, VisibilityMode
from submissions.cursors import cursor_encode
from submissions.models import FormVersion, Matter, MatterSubmission, Submission, VisibilityGrant
from submissions.services import form_create, form_publish, submission_create, submission_update
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import api_key_create, membership_set, workspace_create

SEED_VERSION = 1
SUBMITTERS = 20  # members who submit; the acting member is the first
FORMS = 3
MATTERS = 10
LIST_ROWS = {"postgresql": 1_000_000, "sqlite": 100_000}
YEAR_SECONDS = 365 * 24 * 3600
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)  # fixed, so a reused dataset and today's filters agree


def list_rows() -> int:
    """100k rows on SQLite, 1M on PostgreSQL; ``BENCH_LIST_ROWS`` overrides (a smaller run, a bigger one)."""
    return int(os.environ.get("BENCH_LIST_ROWS") or LIST_ROWS.get(connection.vendor, 100_000))


# --- Seeding -------------------------------------------------------------------------------------


class ListDataset:
    """The seeded workspace, its acting member (MEMBER role) and a fresh API key for this run."""

    def __init__(self, workspace: Workspace, rows: int) -> None:
        self.workspace = workspace
        self.rows = rows
        self.member = User.objects.get(username=_username(rows, 0))
        _, self.raw_key = api_key_create(workspace=workspace, name="bench list", acting_user=None, role=Role.ADMIN)
        self.client = Client(HTTP_X_API_KEY=self.raw_key, HTTP_X_USER_ID=str(self.member.pk))


def _username(rows: int, n: int) -> str:
    return f"bench-list-{SEED_VERSION}-{rows}-u{n}"


def list_dataset(rows: int) -> ListDataset:
    """The dataset of ``rows`` submissions, seeded now unless a previous run left it."""
    slug = f"bench-list-v{SEED_VERSION}-{rows}"
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        with transaction.atomic():
            workspace = _seed(slug, rows)
        _analyze()
    return ListDataset(workspace, rows)


def _seed(slug: str, rows: int) -> Workspace:
    workspace = workspace_create(name=f"Bench list {rows}", owner=None, slug=slug)
    users = []
    for n in range(SUBMITTERS):
        user, _ = User.objects.get_or_create(
            username=_username(rows, n), defaults={"first_name": f"Submitter{n}", "email": f"s{n}@example.com"}
        )
        membership_set(workspace=workspace, user=user, role=Role.MEMBER, acting_user=None)
        users.append(user)
    versions = []
    for n in range(FORMS):
        form = form_create(
            workspace=workspace,
            title=f"Bench form {n}",
            schema={"fields": [{"key": "full_name", "label": "Full name", "type": "text"}]},
            acting_user=None,
        )
        versions.append(form_publish(form=form, acting_user=None))
    matters = Matter.objects.bulk_create(
        Matter(workspace=workspace, number=n + 1, title=f"Bench matter {n + 1}") for n in range(MATTERS)
    )
    _insert_submissions(workspace, rows, users, versions)
    _insert_grants(workspace, users)
    _insert_matter_links(workspace, matters)
    return workspace


def _case(expression: str, values: list[int]) -> str:
    arms = " ".join(f"WHEN {n} THEN {value}" for n, value in enumerate(values))
    return f"CASE {expression} {arms} END"


def _insert_submissions(workspace: Workspace, rows: int, users: list[User], versions: list[FormVersion]) -> None:
    """Row i: created over a year (oldest first), status by i % 20, every 10th restricted, 20 submitters."""
    table = Submission._meta.db_table
    step = YEAR_SECONDS // rows or 1
    status = (
        f"CASE WHEN i % 20 = 0 THEN '{SubmissionStatus.DRAFT}' WHEN i % 20 < 7 THEN '{SubmissionStatus.PENDING}' "
        f"WHEN i % 20 < 17 THEN '{SubmissionStatus.COMPLETED}' ELSE '{SubmissionStatus.EDITED}' END"
    )
    mode = f"CASE WHEN i % 10 = 5 THEN '{VisibilityMode.RESTRICTED}' ELSE '{VisibilityMode.WORKSPACE}' END"
    user = _case(f"(i / 10) % {SUBMITTERS}", [u.pk for u in users])
    form = _case(f"i % {FORMS}", [v.form_id for v in versions])
    version = _case(f"i % {FORMS}", [v.pk for v in versions])
    # Written with ¤ for a parameter, so that every literal % can be escaped for the driver at once.
    if connection.vendor == "postgresql":
        series, source = "", "generate_series(1, ¤) AS g(i)"
        public_id = "'SUB-B' || lpad(upper(to_hex(i)), 11, '0')"
        data = "json_build_object('full_name', 'Client ' || i, 'email', 'client' || i || '@example.com')::jsonb"
        created = "¤::timestamptz + (i * ¤) * interval '1 second'"
        created_params: list[Any] = [YEAR_START, step]
    else:
        series, source = "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ¤) ", "g"
        public_id = "'SUB-B' || printf('%011X', i)"
        data = "json_object('full_name', 'Client ' || i, 'email', 'client' || i || '@example.com')"
        created = "strftime('%Y-%m-%d %H:%M:%S', ¤, '+' || (i * ¤) || ' seconds')"
        created_params = [YEAR_START.strftime("%Y-%m-%d %H:%M:%S"), step]
    columns = (
        "public_id, workspace_id, form_id, form_version_id, status, data, metadata, user_id, visibility_mode, "
        "created_at, updated_at"
    )
    sql = (
        f"INSERT INTO {table} ({columns}) {series}SELECT {public_id}, ¤, {form}, {version}, {status}, {data}, "
        f"'{{}}', {user}, {mode}, {created}, {created} FROM {source}"
    )
    values = [workspace.pk, *created_params, *created_params]
    params = [*values, rows] if connection.vendor == "postgresql" else [rows, *values]
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("%", "%%").replace("¤", "%s"), params)


def _insert_grants(workspace: Workspace, users: list[User]) -> None:
    """Restricted rows: a quarter granted to the acting member, a quarter to another user, a quarter to ADMIN."""
    table, submissions = VisibilityGrant._meta.db_table, Submission._meta.db_table
    now = timezone.now()
    member, other = users[0].pk, users[3].pk
    where = f"workspace_id = %s AND visibility_mode = '{VisibilityMode.RESTRICTED}'"
    columns = "submission_id, target_type, target_user_id, target_role, target_workspace_id, access_level, created_at"
    with connection.cursor() as cursor:
        for condition, target_type, user_id, role in (
            ("(id / 10) %% 4 = 1", GrantTargetType.USER, member, ""),
            ("(id / 10) %% 4 = 2", GrantTargetType.USER, other, ""),
            ("(id / 10) %% 4 = 3", GrantTargetType.WORKSPACE_ROLE, None, Role.ADMIN.value),
        ):
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT id, %s, %s, %s, NULL, 'viewer', %s FROM {submissions} "
                f"WHERE {where} AND {condition}",
                [str(target_type), user_id, role, now, workspace.pk],
            )


def _insert_matter_links(workspace: Workspace, matters: list[Matter]) -> None:
    """One submission in 50 is linked to a matter."""
    table, submissions = MatterSubmission._meta.db_table, Submission._meta.db_table
    matter = _case(f"id %% {MATTERS}", [m.pk for m in matters])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (matter_id, submission_id, created_at) SELECT {matter}, id, %s FROM {submissions} "
            "WHERE workspace_id = %s AND id %% 50 = 3",
            [timezone.now(), workspace.pk],
        )


def _analyze() -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map that index-only scans need)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Submission, VisibilityGrant, MatterSubmission):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        else:
            cursor.execute("ANALYZE")


# --- List cases ----------------------------------------------------------------------------------

LIST_TARGET = "median <= 50 ms at 1M (PostgreSQL), <= 4 queries, no Seq Scan"
DEEP_OFFSET_TARGET = "reported (use cursor for deep pages)"
DEEP_PAGE_REPEAT = 20


def list_cases(rows: int, repeat: int) -> list[Result]:
    dataset = list_dataset(rows)
    workspace = dataset.workspace
    listed = Submission.objects.filter(workspace=workspace).exclude(status=SubmissionStatus.DRAFT)
    newest_first = ("-created_at", "-id")
    june = (YEAR_START.replace(month=6), YEAR_START.replace(month=7))
    middle = YEAR_START + timedelta(days=182)
    searched = (
        listed.filter(visibility_mode=VisibilityMode.WORKSPACE, created_at__gte=middle).order_by("created_at").first()
    )
    assert searched is not None
    deep_page = max(1, rows // 20)  # offset: half the rows, at 10 a page
    deep_offset = (deep_page - 1) * 10
    # The cursor of the row before row rows/2, made once by the list's own encoder (one OFFSET query, untimed).
    half = rows // 2
    boundary = listed.order_by(*newest_first)[half - 1]
    cursor = cursor_encode(row=boundary, sort_by="createdAt", sort_order="desc")
    after_boundary = Q(created_at__lte=boundary.created_at) & (
        Q(created_at__lt=boundary.created_at) | Q(id__lt=boundary.pk)
    )
    cases: list[tuple[str, dict[str, Any], Any, str]] = [
        ("page 1, limit 10", {"limit": 10}, lambda: list(listed.order_by(*newest_first)[:10]), LIST_TARGET),
        ("page 1, limit 100", {"limit": 100}, lambda: list(listed.order_by(*newest_first)[:100]), LIST_TARGET),
        (
            "status=PENDING + June",
            {"status": SubmissionStatus.PENDING, "dateFrom": "2025-06-01", "dateTo": "2025-06-30"},
            lambda: list(
                Submission.objects.filter(
                    workspace=workspace,
                    status=SubmissionStatus.PENDING,
                    created_at__gte=june[0],
                    created_at__lt=june[1],
                ).order_by(*newest_first)[:10]
            ),
            LIST_TARGET,
        ),
        (
            "search by id",
            {"search": searched.public_id},
            lambda: list(Submission.objects.filter(workspace=workspace, public_id=searched.public_id)),
            LIST_TARGET,
        ),
        (
            f"deep page {deep_page}",
            {"page": deep_page, "limit": 10},
            lambda: list(listed.order_by(*newest_first)[deep_offset : deep_offset + 10]),
            DEEP_OFFSET_TARGET,
        ),
        (
            f"deep page by cursor (row {half:,})",
            {"cursor": cursor, "limit": 10},
            lambda: list(listed.filter(after_boundary).order_by(*newest_first)[:10]),
            LIST_TARGET,
        ),
    ]
    results = []
    for label, params, floor, target in cases:
        # A deep OFFSET page walks half the index: fewer samples keep the whole run within its 10 minutes.
        samples = min(repeat, DEEP_PAGE_REPEAT) if params.get("page", 1) > 1 else repeat
        results.append(_list_case(dataset, f"{label} ({rows:,} rows)", params, floor, samples, target))
    return results


def _list_case(
    dataset: ListDataset, label: str, params: dict[str, Any], floor: Any, repeat: int, target: str
) -> Result:
    url = reverse("submission-list")

    def request() -> None:
        response = dataset.client.get(url, params)
        assert response.status_code == 200, response.content

    result = measure(
        f"GET /api/submissions {label}",
        request,
        floor="bare keyset rows query, same page" if "cursor" in params else "bare rows query, same page",
        floor_fn=floor,
        repeat=repeat,
        target=target,
    )
    result.extra = _plans(dataset.client, url, params)
    return result


def submission_plans(queries: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The plan of every SELECT on the submissions table among ``queries`` (a CaptureQueriesContext's)."""
    plans = []
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or Submission._meta.db_table not in sql:
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        plans.append({"sql": sql, "plan": plan})
    return plans


def _plans(client: Client, url: str, params: dict[str, Any]) -> dict[str, Any]:
    """The request's SQL, its pagination, and the plan of every SELECT on the submissions table."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    table = Submission._meta.db_table
    plans = submission_plans(captured.captured_queries)
    plans += [inner for outer in list(plans) for inner in _inner_plans(outer["sql"])]
    seq_scan = any(f"Seq Scan on {table} " in p["plan"] or f"SCAN {table}\n" in p["plan"] + "\n" for p in plans)
    return {
        "query": urlencode(params),
        "pagination": response.json()["pagination"],
        "headers": {k: v for k, v in response.headers.items() if k.lower().startswith("x-total")},
        "seq_scan_on_submissions": seq_scan,
        "plans": plans,
    }


_PAGE_IDS_CALL = re.compile(rf"{PAGE_IDS_FUNCTION}\('((?:[^']|'')*)'\)")


def _inner_plans(sql: str) -> list[dict[str, Any]]:
    """A deep page's id walk runs inside submissions_page_ids(), out of the outer plan's sight: plan it too."""
    if connection.vendor != "postgresql":
        return []
    plans = []
    for match in _PAGE_IDS_CALL.finditer(sql):
        inner = match.group(1).replace("''", "'")
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")  # as the function runs it
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + inner)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("RESET jit")
        plans.append({"sql": inner, "plan": plan, "inside": f"{PAGE_IDS_FUNCTION}() (jit off)"})
    return plans


# --- Snapshot growth -----------------------------------------------------------------------------

SNAPSHOT_FIELDS = 50
SNAPSHOT_EDITS = 1000


def snapshot_cases(repeat: int) -> list[Result]:
    """Bytes of history per edit of a 50-field submission; history and rollback with 1,000 snapshots."""
    stamp = f"{timezone.now():%H%M%S%f}"
    workspace = workspace_create(name=f"Bench snapshots {stamp}", owner=None)
    admin = User.objects.create(username=f"bench-snap-{stamp}", first_name="Bench", email="bench@example.com")
    membership_set(workspace=workspace, user=admin, role=Role.ADMIN, acting_user=None)
    _, raw_key = api_key_create(workspace=workspace, name="bench snapshots", acting_user=None, role=Role.ADMIN)
    client = Client(HTTP_X_API_KEY=raw_key, HTTP_X_USER_ID=str(admin.pk))
    fields = [f"field_{n:02d}" for n in range(SNAPSHOT_FIELDS)]
    form = form_create(
        workspace=workspace,
        title="Fifty fields",
        schema={"fields": [{"key": key, "label": key, "type": "text"} for key in fields]},
        acting_user=admin,
    )
    version = form_publish(form=form, acting_user=admin)
    data = {key: f"{key} answer, a sentence of about forty characters" for key in fields}
    submission = submission_create(workspace=workspace, form_version=version, data=data, acting_user=admin)
    history = Submission.history.model
    before = _history_bytes()
    for n in range(1, SNAPSHOT_EDITS):  # the creation is snapshot 1
        data = {**data, fields[n % SNAPSHOT_FIELDS]: f"edit {n}: a sentence of about forty characters"}
        submission = submission_update(submission=submission, acting_user=admin, data=data)
    growth = (_history_bytes() - before) / (SNAPSHOT_EDITS - 1)
    row_bytes = _row_bytes(submission.pk)
    snapshots = history.objects.filter(id=submission.pk).count()
    growth_result = Result(
        case=f"history bytes per edit ({SNAPSHOT_FIELDS}-field submission)",
        median_ms=growth,
        p95_ms=growth,
        queries=None,
        floor="bytes of the changed field",
        floor_median_ms=float(len(json.dumps({fields[1]: data[fields[1]]}))),
        target="reported",
        extra={"average_row_bytes": row_bytes, "snapshots": snapshots, "measure": _bytes_measure()},
        unit="B",
    )

    history_url = reverse("submission-history", args=[submission.public_id])

    def get_history() -> None:
        response = client.get(history_url)
        assert response.status_code == 200, response.content

    def history_floor() -> None:
        list(history.objects.filter(id=submission.pk).order_by("-history_id")[:100])

    history_result = measure(
        f"GET history ({snapshots:,} snapshots)",
        get_history,
        floor="bare fetch of 100 snapshots",
        floor_fn=history_floor,
        repeat=repeat,
        target="median < 50 ms",
    )

    ids = list(history.objects.filter(id=submission.pk).order_by("history_id").values_list("snapshot_id", flat=True))
    targets = [ids[SNAPSHOT_EDITS // 2], ids[SNAPSHOT_EDITS // 2 + 1]]
    turn = {"n": 0}

    def rollback() -> None:
        turn["n"] += 1
        url = reverse("submission-rollback", args=[submission.public_id, targets[turn["n"] % 2]])
        response = client.post(url)
        assert response.status_code == 200, response.content

    floor_data = [dict(data, field_00="floor a"), dict(data, field_00="floor b")]

    def rollback_floor() -> None:
        turn["n"] += 1
        with transaction.atomic():
            row = Submission.objects.select_for_update().get(pk=submission.pk)
            row.data = floor_data[turn["n"] % 2]
            row.save()

    rollback_result = measure(
        f"POST rollback ({snapshots:,}+ snapshots)",
        rollback,
        floor="locked read + save with history row",
        floor_fn=rollback_floor,
        repeat=min(repeat, 100),
        target="median < 100 ms",
    )
    return [growth_result, history_result, rollback_result]


def _history_bytes() -> int:
    table = Submission.history.model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            return int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_count")
        pages = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_size")
        return pages * int(cursor.fetchone()[0])


def _bytes_measure() -> str:
    if connection.vendor == "postgresql":
        return "growth of pg_total_relation_size(history table), heap + indexes + TOAST"
    return "growth of the SQLite file (page_count x page_size): history rows, their indexes, the edited row"


def _row_bytes(submission_pk: int) -> float:
    table = Submission.history.model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT avg(pg_column_size(h.*)) FROM {table} h WHERE id = %s", [submission_pk])
        else:
            cursor.execute(
                f"SELECT avg(length(data) + length(metadata) + length(snapshot_id) + length(public_id) + "
                f"coalesce(length(history_change_reason), 0) + 60) FROM {table} WHERE id = %s",
                [submission_pk],
            )
        return float(cursor.fetchone()[0] or 0)
