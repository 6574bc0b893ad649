"""Large exports as jobs, through the API and the admin: the job's file in S3, its short-lived link, progress,
the requester's visibility and role when the worker runs, the audit rows and the e-mail; bad input and refusals.
Tasks run eagerly here once the request's transaction commits (``tests/submissions/test_export_jobs_worker.py``
runs them on the real worker)."""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
import requests
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.constants import AuditAction
from audit.models import AuditEvent
from config.celery import app as celery_app
from documents import s3
from documents.errors import StorageUnavailable
from submissions.constants import ExportJobState, VisibilityMode
from submissions.models import ExportJob
from submissions.services import visibility_set
from tests.submissions.schemas import SEED_SUBMISSION_DATA
from workspaces.constants import Role
from workspaces.models import Membership
from workspaces.services import membership_remove

JOBS = reverse("export-job-list")
EXPORT = reverse("submission-export")


def job_url(job_id: str, name: str = "export-job-detail") -> str:
    return reverse(name, args=[job_id])


@pytest.fixture
def member(workspace: Any, member_of: Any) -> Any:
    return member_of(workspace, Role.MEMBER, username="rita", email="rita@example.com", is_staff=True)


@pytest.fixture
def member_client(workspace: Any, member: Any, api_client_for: Any) -> Any:
    return api_client_for(workspace, user=member, role=Role.MEMBER)


def start(client: Any, capture: Any, body: dict[str, Any]) -> dict[str, Any]:
    """POST a job and run what its commit queued (the eager task); the 202 body."""
    with capture(execute=True):
        response = client.post(JOBS, body, format="json")
    assert response.status_code == 202, response.content
    return dict(response.json())


def test_a_job_writes_the_file_to_s3_and_hands_out_a_short_lived_audited_link(
    member_client: Any,
    member: Any,
    submission: Any,
    make_submission: Any,
    form_version: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    second = make_submission(form_version, data={**copy.deepcopy(SEED_SUBMISSION_DATA), "full_name": "Zed"})
    answer = start(member_client, django_capture_on_commit_callbacks, {"format": "csv", "sortOrder": "asc"})
    assert answer["success"] is True
    job_id = answer["job"]["jobId"]
    assert job_id.startswith("exp_") and answer["job"]["url"].endswith(job_url(job_id))

    polled = member_client.get(job_url(job_id)).json()["job"]
    assert polled["state"] == "done" and polled["error"] == ""
    assert polled["progress"] == {"rowsDone": 2, "rowsTotal": 2}
    assert polled["fileName"] == "submissions.zip" and polled["sizeBytes"] > 0
    assert polled["downloadUrl"].endswith(job_url(job_id, "export-job-download"))

    link = member_client.get(job_url(job_id, "export-job-download"))
    assert link.status_code == 200, link.content
    assert link.json()["expiresIn"] == 300 and "X-Amz-Expires=300" in link.json()["url"]
    fetched = requests.get(link.json()["url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="submissions.zip"'
    archive = zipfile.ZipFile(io.BytesIO(fetched.content))
    assert archive.namelist() == ["submissions.csv", "Share-allocation.csv", "Shareholders.csv"]
    rows = list(csv.reader(io.StringIO(archive.read("submissions.csv").decode())))
    assert [row[0] for row in rows[1:]] == [submission.public_id, second.public_id]
    assert rows[0][8] == "Review state"

    requested = AuditEvent.objects.get(action=AuditAction.SUBMISSIONS_EXPORTED)
    assert (requested.actor_user, requested.target_id) == (member, job_id)
    assert requested.details["job"] == job_id and requested.details["filters"]["sortOrder"] == "asc"
    downloaded = AuditEvent.objects.get(action=AuditAction.EXPORT_DOWNLOADED)
    assert (downloaded.actor_user, downloaded.target_id, downloaded.details["via"]) == (member, job_id, "api")

    (message,) = mail.outbox
    assert message.to == ["rita@example.com"] and "is ready" in message.subject
    assert "http://testserver/admin/submissions/exportjob/" in message.body


def test_an_xlsx_job_reports_its_progress_and_writes_a_workbook(
    member_client: Any,
    submission: Any,
    make_submission: Any,
    form_version: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_submission(form_version)
    make_submission(form_version)
    monkeypatch.setattr("submissions.exports.PROGRESS_ROWS", 1)
    with CaptureQueriesContext(connection) as captured:
        answer = start(member_client, django_capture_on_commit_callbacks, {"format": "xlsx", "sortOrder": "asc"})
    table = ExportJob._meta.db_table
    progress = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(f'UPDATE "{table}" SET "rows_done"')]
    assert len(progress) == 4, progress  # after each of the 3 rows, and once at the end
    job = ExportJob.objects.get(public_id=answer["job"]["jobId"])
    assert job.state == ExportJobState.DONE and job.rows_done == job.rows_total == 3
    assert job.s3_key.endswith(f"/{job.public_id}/submissions.xlsx") and job.s3_key.startswith("exports/")
    with s3.open_object(job.s3_key) as body:
        workbook = openpyxl.load_workbook(io.BytesIO(body.read()), read_only=True)
    assert workbook.sheetnames == ["Submissions", "Share allocation", "Shareholders"]
    assert next(workbook["Submissions"].iter_rows(min_row=2, values_only=True))[0] == submission.public_id
    assert job.expires_at is not None and job.expires_at > timezone.now() + timedelta(hours=71)


def test_a_large_get_answers_a_job_and_async_true_asks_for_one(
    member_client: Any,
    submission: Any,
    make_submission: Any,
    form_version: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_submission(form_version)
    settings.EXPORT_ASYNC_THRESHOLD_ROWS = 2
    small = member_client.get(EXPORT, {"format": "csv"})
    assert small.status_code == 200 and small.streaming  # two rows: at the threshold, streamed
    make_submission(form_version)
    with django_capture_on_commit_callbacks(execute=True):
        large = member_client.get(EXPORT, {"format": "xlsx", "status": "COMPLETED"})
    assert large.status_code == 202 and large["Location"] == large.json()["job"]["url"]
    job = ExportJob.objects.get(public_id=large.json()["job"]["jobId"])
    assert (job.state, job.rows_total, job.export_format, job.filters["status"]) == ("done", 3, "xlsx", "COMPLETED")
    settings.EXPORT_ASYNC_THRESHOLD_ROWS = 10_000
    asked = member_client.get(EXPORT, {"format": "csv", "async": "true"})
    assert asked.status_code == 202 and asked.json()["job"]["state"] == "queued"


def test_a_job_holds_only_what_its_requester_may_see_when_the_worker_runs(
    member_client: Any,
    member: Any,
    workspace: Any,
    submission: Any,
    make_submission: Any,
    form_version: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hidden = make_submission(form_version)
    visibility_set(submission=hidden, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    answer = start(member_client, django_capture_on_commit_callbacks, {"format": "csv"})
    job = ExportJob.objects.get(public_id=answer["job"]["jobId"])
    with s3.open_object(job.s3_key) as body:
        archive = zipfile.ZipFile(io.BytesIO(body.read()))
    ids = [row[0] for row in csv.reader(io.StringIO(archive.read("submissions.csv").decode()))][1:]
    assert ids == [submission.public_id] and job.rows_total == 1

    with django_capture_on_commit_callbacks(execute=False) as queued:  # the worker runs after the member left
        response = member_client.post(JOBS, {"format": "csv"}, format="json")
    membership_remove(membership=Membership.objects.get(workspace=workspace, user=member), acting_user=None)
    for callback in queued:
        callback()
    late = ExportJob.objects.get(public_id=response.json()["job"]["jobId"])
    assert late.state == ExportJobState.FAILED and "no longer a member" in late.error and late.s3_key == ""


def test_a_job_is_its_requesters_alone(
    member_client: Any,
    workspace: Any,
    member_of: Any,
    api_client_for: Any,
    submission: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job_id = start(member_client, django_capture_on_commit_callbacks, {"format": "csv"})["job"]["jobId"]
    colleague = api_client_for(workspace, user=member_of(workspace, Role.ADMIN), role=Role.MEMBER)
    key_alone = api_client_for(workspace, role=Role.ADMIN)
    for other in (colleague, key_alone):
        for name in ("export-job-detail", "export-job-download"):
            refused = other.get(job_url(job_id, name))
            assert refused.status_code == 404 and refused.json()["code"] == "EXPORT_JOB_NOT_FOUND"
        assert other.get(JOBS).json()["jobs"] == []
    assert [job["jobId"] for job in member_client.get(JOBS).json()["jobs"]] == [job_id]
    own = start(key_alone, django_capture_on_commit_callbacks, {"format": "csv"})["job"]["jobId"]
    assert [job["jobId"] for job in key_alone.get(JOBS).json()["jobs"]] == [own]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).exists()


def test_a_viewer_may_not_start_a_job(api_client_for: Any, member_of: Any, workspace: Any, submission: Any) -> None:
    viewer = api_client_for(workspace, user=member_of(workspace, Role.VIEWER), role=Role.VIEWER)
    for response in (
        viewer.post(JOBS, {"format": "csv"}, format="json"),
        viewer.get(EXPORT, {"format": "csv", "async": "true"}),
    ):
        assert response.status_code == 403 and response.json()["code"] == "INSUFFICIENT_ROLE"
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SUBMISSIONS_EXPORTED).exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"format": "pdf"}, {"format": "csv", "status": "NOPE"}, {"format": "csv", "dateFrom": "x"}, {"format": 1}],
)
def test_a_bad_job_request_is_a_400_and_writes_nothing(member_client: Any, body: dict[str, Any]) -> None:
    response = member_client.post(JOBS, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["success"] is False and response.json()["code"] == "VALIDATION_ERROR"
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SUBMISSIONS_EXPORTED).exists()


def test_the_file_is_handed_out_only_when_done_and_until_it_expires(
    member_client: Any, submission: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # no worker ran: queued
        job_id = member_client.post(JOBS, {"format": "csv"}, format="json").json()["job"]["jobId"]
    early = member_client.get(job_url(job_id, "export-job-download"))
    assert early.status_code == 409 and early.json()["code"] == "EXPORT_NOT_READY"
    assert early.json()["details"] == {"state": "queued"}
    assert member_client.get(job_url(job_id)).json()["job"]["downloadUrl"] is None
    done = start(member_client, django_capture_on_commit_callbacks, {"format": "csv"})["job"]["jobId"]
    ExportJob.objects.filter(public_id=done).update(expires_at=timezone.now() - timedelta(seconds=1))
    late = member_client.get(job_url(done, "export-job-download"))
    assert late.status_code == 410 and late.json()["code"] == "EXPORT_EXPIRED"
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).exists()


def test_s3_down_fails_the_job_after_its_retries(
    member_client: Any, submission: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def down(key: str, *args: Any, **kwargs: Any) -> None:
        calls.append(key)
        raise StorageUnavailable("The file store could not be reached; please retry in a moment.")

    monkeypatch.setattr(s3, "upload_file", down)
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False  # eager retries then run in turn, as a worker's would
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job_id = member_client.post(JOBS, {"format": "csv"}, format="json").json()["job"]["jobId"]
    finally:
        celery_app.conf.task_eager_propagates = propagates
    job = ExportJob.objects.get(public_id=job_id)
    assert job.state == ExportJobState.FAILED and "could not be reached" in job.error
    assert len(calls) == 6  # the first run and five retries
    assert mail.outbox == []
