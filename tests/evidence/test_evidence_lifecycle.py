"""An evidence pack's end: the give-up after its last retry (FAILED with a reason, logged and audited, shown by the
API), and the expiry sweep that deletes the files of old packs (their links then answer 410)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.constants import AuditAction
from audit.models import AuditEvent
from config.celery import app as celery_app
from documents import s3
from evidence.constants import PackState
from evidence.models import EvidencePack
from evidence.sweep import evidence_files_expire
from evidence.tasks import MAX_RETRIES
from tests.storage_faults import failing_proxy, s3_at
from tests.workflows.factories import WorkflowFactory
from workspaces.constants import Role
from workspaces.models import Workspace


@pytest.fixture
def reviewer_client(workspace: Workspace, member_of: Callable[..., Any], api_client_for: Callable[..., Any]) -> Any:
    return api_client_for(workspace, user=member_of(workspace, Role.MEMBER))


@pytest.fixture
def eager_retries() -> Iterator[None]:
    """Eager tasks run their retries in turn, as a worker would (without the back-off's waits)."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        celery_app.conf.task_eager_propagates = propagates


def generated_pack(client: APIClient, workspace: Workspace, capture: Any) -> dict[str, Any]:
    workflow = WorkflowFactory.create(workspace=workspace, subject_record__workspace=workspace)
    with capture(execute=True):
        response = client.post(reverse("workflow-evidence-pack-create", args=[workflow.public_id]))
    assert response.status_code == 202, response.content
    polled = client.get(reverse("evidence-pack-detail", args=[response.json()["id"]])).json()
    assert polled["state"] == "READY", polled
    return dict(polled)


def test_a_pack_gives_up_after_its_last_retry_failed_with_a_reason_the_api_shows(
    reviewer_client: APIClient,
    workspace: Workspace,
    django_capture_on_commit_callbacks: Any,
    eager_retries: None,
    s3_endpoint: str,
    caplog: pytest.LogCaptureFixture,
    settings: Any,
) -> None:
    settings.AWS_S3_MAX_ATTEMPTS = 1  # one PUT per run of the task (the fixture restores it)
    puts: list[str] = []

    def evidence_puts_fail(method: str, headers: Mapping[str, str]) -> bool:
        if method == "PUT":
            puts.append(method)
            return True
        return False

    workflow = WorkflowFactory.create(workspace=workspace, subject_record__workspace=workspace)
    url = reverse("workflow-evidence-pack-create", args=[workflow.public_id])
    with (
        failing_proxy(s3_endpoint, evidence_puts_fail) as proxy,
        s3_at(proxy),
        caplog.at_level(logging.WARNING, logger="evidence.generate"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = reviewer_client.post(url)
    assert response.status_code == 202
    assert len(puts) == 1 + MAX_RETRIES  # the first run and five retries, each refused by S3

    pack_id = response.json()["id"]
    polled = reviewer_client.get(reverse("evidence-pack-detail", args=[pack_id])).json()
    assert polled["state"] == "FAILED" and polled["finishedAt"] is not None
    assert polled["error"] == "The file store could not be reached; please retry in a moment. (gave up after 5 retries)"
    links = reviewer_client.get(reverse("evidence-pack-links", args=[pack_id]))
    assert links.status_code == 409 and links.json()["details"]["state"] == "FAILED"
    listed = reviewer_client.get(reverse("evidence-pack-list"), {"state": "FAILED"}).json()["packs"]
    assert [pack["id"] for pack in listed] == [pack_id]

    failed = AuditEvent.objects.get(action=AuditAction.EVIDENCE_PACK_FAILED)
    assert failed.target_id == pack_id and failed.workspace_id == workspace.pk
    assert failed.details == {"subjectType": "workflow", "subjectId": workflow.public_id, "reason": polled["error"]}
    assert any(pack_id in record.getMessage() and "failed" in record.getMessage() for record in caplog.records)


def test_the_sweep_deletes_the_files_of_expired_packs_and_leaves_fresh_ones(
    reviewer_client: APIClient, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    old = generated_pack(reviewer_client, workspace, django_capture_on_commit_callbacks)
    fresh = generated_pack(reviewer_client, workspace, django_capture_on_commit_callbacks)
    old_links = reviewer_client.get(reverse("evidence-pack-links", args=[old["id"]])).json()["links"]
    assert all(requests.get(link["url"], timeout=10).status_code == 200 for link in old_links)
    ttl = timedelta(days=settings.EVIDENCE_PACK_FILE_TTL_DAYS)
    EvidencePack.objects.filter(public_id=old["id"]).update(finished_at=timezone.now() - ttl - timedelta(minutes=1))

    # Past its expiry the links answer 410 at once, before any sweep ran.
    gone = reviewer_client.get(reverse("evidence-pack-links", args=[old["id"]]))
    assert gone.status_code == 410 and gone.json()["code"] == "EVIDENCE_PACK_EXPIRED"

    assert evidence_files_expire() == 1
    record = EvidencePack.objects.get(public_id=old["id"])
    assert record.state == PackState.EXPIRED
    assert s3.head_object(record.pdf_key) is None and s3.head_object(record.json_key) is None
    # A link issued before serves nothing now (S3 says 403 or 404 for a missing key, by the signer's rights).
    assert {requests.get(link["url"], timeout=10).status_code for link in old_links} <= {403, 404}
    polled = reviewer_client.get(reverse("evidence-pack-detail", args=[old["id"]])).json()
    assert polled["state"] == "EXPIRED" and polled["expiresAt"] is not None
    gone = reviewer_client.get(reverse("evidence-pack-links", args=[old["id"]]))
    assert gone.status_code == 410 and set(gone.json()) == {"success", "error", "code", "details"}

    kept = EvidencePack.objects.get(public_id=fresh["id"])
    assert kept.state == PackState.READY and s3.head_object(kept.pdf_key) is not None
    assert reviewer_client.get(reverse("evidence-pack-links", args=[fresh["id"]])).status_code == 200

    assert evidence_files_expire() == 0  # a second run finds nothing to do
    downloads = AuditEvent.objects.filter(action=AuditAction.EVIDENCE_PACK_DOWNLOADED, target_id=old["id"])
    assert downloads.count() == 1  # the refused links issued nothing


def test_the_sweep_is_safe_when_the_files_are_already_gone_and_works_in_batches(
    reviewer_client: APIClient, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    packs = [generated_pack(reviewer_client, workspace, django_capture_on_commit_callbacks) for _ in range(3)]
    EvidencePack.objects.update(finished_at=timezone.now() - timedelta(days=settings.EVIDENCE_PACK_FILE_TTL_DAYS + 1))
    first = EvidencePack.objects.get(public_id=packs[0]["id"])
    s3.delete_objects([first.pdf_key, first.json_key])  # e.g. a bucket lifecycle rule got there first
    assert evidence_files_expire(batch_size=2) == 3
    assert set(EvidencePack.objects.values_list("state", flat=True)) == {PackState.EXPIRED}


def test_the_command_runs_the_sweep_once(
    reviewer_client: APIClient, workspace: Workspace, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    pack = generated_pack(reviewer_client, workspace, django_capture_on_commit_callbacks)
    EvidencePack.objects.update(finished_at=timezone.now() - timedelta(days=settings.EVIDENCE_PACK_FILE_TTL_DAYS + 1))
    call_command("sweep_expired_files")
    assert "0 export job file(s) and 1 evidence pack(s)" in capsys.readouterr().out
    assert EvidencePack.objects.get(public_id=pack["id"]).state == PackState.EXPIRED


def test_beat_runs_both_sweeps() -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"evidence.tasks.evidence_files_sweep_run", "submissions.tasks.export_files_sweep_run"} <= tasks
    assert {"evidence.tasks.evidence_files_sweep_run", "submissions.tasks.export_files_sweep_run"} <= set(
        celery_app.tasks
    )


def test_an_expired_packs_admin_page_says_so_and_offers_no_download(
    client: Any,
    workspace: Workspace,
    member_of: Callable[..., Any],
    api_client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True)
    pack = generated_pack(api_client_for(workspace, user=reviewer), workspace, django_capture_on_commit_callbacks)
    EvidencePack.objects.update(finished_at=timezone.now() - timedelta(days=settings.EVIDENCE_PACK_FILE_TTL_DAYS + 1))
    evidence_files_expire()
    record = EvidencePack.objects.get(public_id=pack["id"])
    client.force_login(reviewer)
    page = client.get(reverse("admin:evidence_evidencepack_change", args=[record.pk])).content.decode()
    assert "Expired" in page and "have been deleted" in page and record.pdf_sha256 in page
    assert "Download the PDF" not in page
    download = client.get(reverse("admin:evidence_evidencepack_download", args=[record.pk]), follow=True)
    assert "expired" in download.content.decode()  # the refusal in words, back on the pack's page
