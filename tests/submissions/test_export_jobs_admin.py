"""The export jobs page in the admin: the user's own jobs with progress (reloading itself while one runs), starting
an export with the list's filters, the audited download link; refusals and bad input. Chromium for the look."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.urls import reverse

from audit.constants import AuditAction
from audit.models import AuditEvent
from submissions.constants import ExportFormat, ExportJobState
from submissions.export_jobs import export_job_create
from submissions.models import ExportJob
from submissions.selectors import SubmissionFilters
from tests.workflows.test_workflow_admin_browser import admin_page
from workspaces.access import user_contexts
from workspaces.constants import Role
from workspaces.models import Workspace

JOBS = reverse("admin:submissions_exportjob_changelist")
START = reverse("admin:submissions_exportjob_add")


def queued_job(user: Any, workspace: Workspace, export_format: ExportFormat = ExportFormat.CSV) -> ExportJob:
    """A job as the service makes it; nothing runs it (the test's transaction never commits)."""
    return export_job_create(
        context=user_contexts(user)[workspace.pk],
        export_format=export_format,
        filters=SubmissionFilters(),
        query={"format": str(export_format)},
        via="admin",
    )


@pytest.fixture
def reviewer(workspace: Workspace, member_of: Any) -> Any:
    return member_of(workspace, Role.MEMBER, username="rita", email="rita@example.com", is_staff=True)


def test_the_page_lists_the_users_own_jobs_with_progress_and_reloads_while_one_runs(
    client: Any, reviewer: Any, workspace: Workspace, member_of: Any, django_assert_max_num_queries: Any
) -> None:
    running = queued_job(reviewer, workspace)
    ExportJob.objects.filter(pk=running.pk).update(state=ExportJobState.RUNNING, rows_done=1200, rows_total=4800)
    for _ in range(3):
        queued_job(reviewer, workspace, ExportFormat.XLSX)
    colleague = member_of(workspace, Role.ADMIN, is_staff=True)
    theirs = queued_job(colleague, workspace)
    client.force_login(reviewer)
    with django_assert_max_num_queries(12):
        page = client.get(JOBS)
    assert page.status_code == 200
    listed = {job.public_id for job in page.context["cl"].result_list}
    assert running.public_id in listed and theirs.public_id not in listed and len(listed) == 4
    html = page.content.decode()
    assert "1,200 of 4,800 rows" in html and 'value="25"' in html and "Waiting for a worker" in html
    assert '<meta http-equiv="refresh" content="3">' in html

    ExportJob.objects.filter(requested_by=reviewer).update(state=ExportJobState.FAILED, error="S3 was down")
    settled = client.get(JOBS).content.decode()
    assert 'http-equiv="refresh"' not in settled and "failed: S3 was down" in settled


def test_a_reviewer_starts_an_export_and_downloads_it_through_an_audited_link(
    client: Any,
    reviewer: Any,
    workspace: Workspace,
    submission: Any,
    make_submission: Any,
    form_version: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_submission(form_version, status="PENDING")
    client.force_login(reviewer)
    form = client.get(START)
    assert form.status_code == 200 and b"Start the export" in form.content and b"Client onboarding" in form.content
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            START,
            {
                "workspace": str(workspace.pk),
                "export_format": "xlsx",
                "status": "COMPLETED",
                "form": form.context["adminform"].form.fields["form"].choices[1][0],
            },
        )
    assert started.status_code == 302 and started["Location"] == JOBS
    job = ExportJob.objects.get(requested_by=reviewer)
    assert (job.state, job.export_format, job.via, job.rows_total) == (ExportJobState.DONE, "xlsx", "admin", 1)
    assert job.filters["status"] == "COMPLETED"
    event = AuditEvent.objects.get(action=AuditAction.SUBMISSIONS_EXPORTED)
    assert (event.actor_user, event.target_id, event.details["via"]) == (reviewer, job.public_id, "admin")

    listing = client.get(JOBS).content.decode()
    link = reverse("admin:submissions_exportjob_download", args=[job.pk])
    assert f'<a href="{link}" title="submissions.xlsx">Download</a>' in listing
    download = client.get(link)
    assert download.status_code == 302 and "X-Amz-Expires=300" in download["Location"]
    fetched = requests.get(download["Location"], timeout=10)
    assert fetched.status_code == 200 and fetched.content[:2] == b"PK"
    read = AuditEvent.objects.get(action=AuditAction.EXPORT_DOWNLOADED)
    assert (read.actor_user, read.details["via"]) == (reviewer, "admin")


def test_bad_input_is_shown_on_the_page_and_starts_nothing(client: Any, reviewer: Any, workspace: Workspace) -> None:
    client.force_login(reviewer)
    for body, message in (
        ({"export_format": "pdf"}, "Select a valid choice"),
        ({"export_format": "csv", "date_from": "2026-02-01", "date_to": "2026-01-01"}, "is before"),
        ({"export_format": "csv", "date_from": "yesterday"}, "Enter a valid date"),
    ):
        page = client.post(START, {"workspace": str(workspace.pk), **body})
        assert page.status_code == 200 and message in page.content.decode()
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SUBMISSIONS_EXPORTED).exists()


def test_a_viewer_has_no_export_jobs_page_and_no_one_downloads_anothers_file(
    client: Any, reviewer: Any, workspace: Workspace, member_of: Any
) -> None:
    job = queued_job(reviewer, workspace)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJobState.DONE, s3_key="exports/x/y/submissions.csv")
    client.force_login(member_of(workspace, Role.VIEWER, is_staff=True))
    assert client.get(JOBS).status_code == 403
    assert client.post(START, {"workspace": str(workspace.pk), "export_format": "csv"}).status_code == 302
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))
    refused = client.get(reverse("admin:submissions_exportjob_download", args=[job.pk]))
    assert refused.status_code == 302 and refused["Location"] == reverse("admin:index")
    assert not ExportJob.objects.exclude(pk=job.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_export_jobs_page_in_chromium(
    browser: Any, live_server: Any, workspace: Workspace, submission: Any, screenshot: Callable[[Any, str], Any]
) -> None:
    page = admin_page(browser, live_server, workspace, role=Role.MEMBER)
    page.goto(f"{live_server.url}{START}")
    page.select_option("#id_export_format", "xlsx")
    screenshot(page, "export-job-start")
    page.click("input[type=submit]")  # the job runs (eagerly) once the request commits
    page.wait_for_selector("#result_list")
    user = ExportJob.objects.get().requested_by
    running = queued_job(user, workspace)
    ExportJob.objects.filter(pk=running.pk).update(
        state=ExportJobState.RUNNING, rows_done=31500, rows_total=120000, finished_at=None
    )
    page.goto(f"{live_server.url}{JOBS}")
    text = page.locator("#result_list").inner_text()
    assert "Download" in text and "31,500 of 120,000 rows" in text and "XLSX · done" in text
    screenshot(page, "export-jobs-admin")
