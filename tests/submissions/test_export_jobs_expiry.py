"""The expiry sweep of export jobs: a done job past ``expires_at`` loses its S3 file and is marked expired (the API
says so, and its download answers 410); a fresh one is untouched; a run is idempotent and survives a missing object
and an S3 outage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from documents import s3
from documents.errors import StorageUnavailable
from submissions.constants import ExportJobState
from submissions.export_jobs import export_files_expire
from submissions.models import ExportJob
from submissions.tasks import export_job_run
from tests.storage_faults import refused_endpoint, s3_at
from workspaces.constants import Role

JOBS = reverse("export-job-list")


@pytest.fixture
def member_client(workspace: Any, member_of: Any, api_client_for: Any) -> Any:
    return api_client_for(workspace, user=member_of(workspace, Role.MEMBER), role=Role.MEMBER)


def done_job(client: Any, capture: Any) -> str:
    with capture(execute=True):
        response = client.post(JOBS, {"format": "csv"}, format="json")
    assert response.status_code == 202, response.content
    job_id = str(response.json()["job"]["jobId"])
    assert client.get(reverse("export-job-detail", args=[job_id])).json()["job"]["state"] == "done"
    return job_id


def expire(job_id: str) -> None:
    ExportJob.objects.filter(public_id=job_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_the_sweep_deletes_expired_files_and_leaves_fresh_ones(
    member_client: Any, submission: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old, fresh = (done_job(member_client, django_capture_on_commit_callbacks) for _ in range(2))
    link = member_client.get(reverse("export-job-download", args=[old])).json()["url"]
    assert requests.get(link, timeout=10).status_code == 200
    expire(old)

    assert export_files_expire() == 1
    job = ExportJob.objects.get(public_id=old)
    assert job.state == ExportJobState.EXPIRED and s3.head_object(job.s3_key) is None
    assert requests.get(link, timeout=10).status_code in (403, 404)  # an earlier link serves nothing now
    polled = member_client.get(reverse("export-job-detail", args=[old])).json()["job"]
    assert polled["state"] == "expired" and polled["downloadUrl"] is None
    gone = member_client.get(reverse("export-job-download", args=[old]))
    assert gone.status_code == 410 and gone.json()["code"] == "EXPORT_EXPIRED"

    kept = ExportJob.objects.get(public_id=fresh)
    assert kept.state == ExportJobState.DONE and s3.head_object(kept.s3_key) is not None
    assert member_client.get(reverse("export-job-download", args=[fresh])).status_code == 200
    assert export_files_expire() == 0  # nothing left to do


def test_a_missing_object_is_no_error_and_batches_cover_every_job(
    member_client: Any, submission: Any, django_capture_on_commit_callbacks: Any
) -> None:
    jobs = [done_job(member_client, django_capture_on_commit_callbacks) for _ in range(3)]
    for job_id in jobs:
        expire(job_id)
    s3.delete_object(ExportJob.objects.get(public_id=jobs[0]).s3_key)  # a bucket lifecycle rule got there first
    assert export_files_expire(batch_size=2) == 3
    assert set(ExportJob.objects.values_list("state", flat=True)) == {ExportJobState.EXPIRED}


def test_an_s3_outage_marks_nothing_and_the_next_run_finishes(
    member_client: Any, submission: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job_id = done_job(member_client, django_capture_on_commit_callbacks)
    expire(job_id)
    with s3_at(refused_endpoint()), pytest.raises(StorageUnavailable):
        export_files_expire()
    job = ExportJob.objects.get(public_id=job_id)
    assert job.state == ExportJobState.DONE and s3.head_object(job.s3_key) is not None
    call_command("sweep_expired_files")
    assert ExportJob.objects.get(public_id=job_id).state == ExportJobState.EXPIRED
    assert s3.head_object(job.s3_key) is None


def test_a_redelivered_task_of_an_expired_job_writes_nothing(
    member_client: Any, submission: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job_id = done_job(member_client, django_capture_on_commit_callbacks)
    expire(job_id)
    export_files_expire()
    job = ExportJob.objects.get(public_id=job_id)
    export_job_run.delay(job.pk)  # the broker delivers the job's task again (late acknowledgement)
    assert ExportJob.objects.get(pk=job.pk).state == ExportJobState.EXPIRED
    assert s3.head_object(job.s3_key) is None
