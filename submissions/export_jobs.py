"""Large exports as jobs: a request records the job (and the audit row), a worker writes the file with the
export's own writers (``submissions.exports``) to a temporary file, uploads it to S3 (multipart) and marks the
job done; the requester then gets the file through a short-lived presigned link (each link audited).

The worker exports exactly what the requester may see when it runs: it rebuilds the requester's context (the
member's role now, or the API key if still active) and reads ``selectors.submission_export_queryset``. No
database transaction is held while S3 is called.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.constants import AuditAction
from audit.services import audit_record, audit_record_read
from config.errors import ApplicationError
from documents import s3
from documents.errors import StorageUnavailable
from submissions.constants import ExportFormat, ExportJobState
from submissions.errors import ExportExpired, ExportJobNotFound, ExportNotReady, ExportRequesterGone
from submissions.exports import export_kind, export_layout, export_write
from submissions.models import ExportJob
from submissions.selectors import SubmissionFilters, submission_export_queryset
from submissions.tasks import email_send, export_job_run
from workspaces.access import REVIEW, require_role
from workspaces.constants import Role
from workspaces.context import WorkspaceContext
from workspaces.selectors import membership_get

logger = logging.getLogger(__name__)

EXPORT_PREFIX = "exports"  # no presigned POST names it; the upload sweep lists documents, not this prefix
_DATE_FIELDS = ("date_from", "date_to")
SWEEP_BATCH = 500  # jobs per DeleteObjects call of the expiry sweep


def _filters_json(filters: SubmissionFilters) -> dict[str, Any]:
    data = asdict(filters)
    for name in _DATE_FIELDS:
        if data[name] is not None:
            data[name] = data[name].isoformat()
    return data


def _filters_parse(data: dict[str, Any]) -> SubmissionFilters:
    values = dict(data)
    for name in _DATE_FIELDS:
        text = values.get(name)
        if text is not None:
            values[name] = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    return SubmissionFilters(**values)


# --- Reads


def export_jobs_of(*, context: WorkspaceContext) -> QuerySet[ExportJob]:
    """The caller's own jobs in its workspace, newest first: a member's, or an API key's acting on its own."""
    jobs = ExportJob.objects.filter(workspace=context.workspace)
    if context.user is not None:
        jobs = jobs.filter(requested_by=context.user)
    else:
        jobs = jobs.filter(requested_by__isnull=True, api_key=context.api_key)
    return jobs.order_by("-created_at", "-id")


def export_job_get(*, context: WorkspaceContext, public_id: str) -> ExportJob:
    job = export_jobs_of(context=context).filter(public_id=public_id).first()
    if job is None:
        raise ExportJobNotFound("No such export job.")
    return job


def export_job_download_url(*, job: ExportJob, via: str) -> str:
    """A presigned GET of the job's file, valid ``EXPORT_LINK_TTL_SECONDS``; the issuing is audited."""
    if job.state == ExportJobState.EXPIRED:
        raise ExportExpired("This export's file has expired; request a new export.")
    if job.state != ExportJobState.DONE:
        raise ExportNotReady(
            f"The export is {job.get_state_display().lower()}; its file is not ready.", details={"state": job.state}
        )
    if job.expires_at is not None and job.expires_at <= timezone.now():
        raise ExportExpired("This export's file has expired; request a new export.")
    url = s3.presigned_get_url(
        job.s3_key,
        expires_in=settings.EXPORT_LINK_TTL_SECONDS,
        content_disposition=f'attachment; filename="{job.file_name}"',
    )
    audit_record_read(
        action=AuditAction.EXPORT_DOWNLOADED,
        workspace_id=job.workspace_id,
        target_type="export_job",
        target_id=job.public_id,
        via=via,
        format=job.export_format,
        rows=job.rows_done,
    )
    return url


# --- Writes


@transaction.atomic
def export_job_create(
    *,
    context: WorkspaceContext,
    export_format: ExportFormat,
    filters: SubmissionFilters,
    query: dict[str, str],
    via: str,
    page_url: str = "",
) -> ExportJob:
    """Record the job and its audit row; a worker runs it once this commits. ``query`` is the filters as the
    caller sent them (for the audit row); ``page_url`` is where the "done" e-mail sends a member."""
    require_role(context, REVIEW)
    job = ExportJob.objects.create(
        workspace=context.workspace,
        requested_by=context.user,
        api_key=context.api_key if context.user is None else None,
        export_format=export_format,
        filters=_filters_json(filters),
        via=via,
        page_url=page_url[:500],
    )
    audit_record(
        action=AuditAction.SUBMISSIONS_EXPORTED,
        workspace_id=context.workspace.pk,
        acting_user=context.user,
        target_type="export_job",
        target_id=job.public_id,
        details={"format": str(export_format), "via": via, "filters": query, "job": job.public_id},
    )
    transaction.on_commit(lambda: export_job_run.delay(job.pk))
    return job


def _requester_context(job: ExportJob) -> WorkspaceContext:
    """The requester as it is now: a member still in the workspace with its current role, or the active key."""
    if job.requested_by_id is not None:
        membership = membership_get(workspace_id=job.workspace_id, user_id=job.requested_by_id)
        if membership is None or not membership.user.is_active:
            raise ExportRequesterGone("The requester is no longer a member of this workspace.")
        context = WorkspaceContext(workspace=job.workspace, role=Role(membership.role), user=membership.user)
    else:
        if job.api_key is None or not job.api_key.is_active:
            raise ExportRequesterGone("The API key that requested this export has been revoked.")
        context = WorkspaceContext(workspace=job.workspace, role=Role(job.api_key.role), api_key=job.api_key)
    require_role(context, REVIEW)
    return context


def _finish(job: ExportJob, **fields: Any) -> None:
    fields["finished_at"] = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def export_job_execute(*, job_id: int) -> None:
    """The worker's part (``tasks.export_job_run``). A job already done or failed is left alone (a redelivered
    task); a running one whose worker died starts again from the first row. ``StorageUnavailable`` propagates, so
    the task retries; any other failure marks the job failed with a reason."""
    job = ExportJob.objects.select_related("workspace", "api_key", "requested_by").filter(pk=job_id).first()
    if job is None or job.state in (ExportJobState.DONE, ExportJobState.FAILED, ExportJobState.EXPIRED):
        return
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJobState.RUNNING, started_at=timezone.now(), rows_done=0)
    try:
        context = _requester_context(job)
        submissions = submission_export_queryset(context=context, filters=_filters_parse(job.filters))
        ExportJob.objects.filter(pk=job.pk).update(rows_total=submissions.order_by().count())
        layout = export_layout(submissions)
        export_format = ExportFormat(job.export_format)
        content_type, file_name = export_kind(export_format, layout)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

        with tempfile.TemporaryFile() as target:
            export_write(
                submissions=submissions, layout=layout, export_format=export_format, target=target, progress=progress
            )
            size = target.tell()
            target.seek(0)
            key = f"{EXPORT_PREFIX}/{job.workspace.public_id}/{job.public_id}/{file_name}"
            s3.upload_file(
                key, target, content_type=content_type, content_disposition=f'attachment; filename="{file_name}"'
            )
    except StorageUnavailable:
        raise
    except ApplicationError as exc:
        _finish(job, state=ExportJobState.FAILED, error=exc.message[:500])
        return
    except Exception:
        logger.exception("Export job %s failed", job.public_id)
        _finish(job, state=ExportJobState.FAILED, error="The export failed unexpectedly; please try again.")
        return
    expires_at = timezone.now() + timedelta(hours=settings.EXPORT_FILE_TTL_HOURS)
    _finish(
        job,
        state=ExportJobState.DONE,
        s3_key=key,
        file_name=file_name,
        content_type=content_type,
        size_bytes=size,
        expires_at=expires_at,
        error="",
    )
    _notify(job, expires_at)


def export_job_fail(*, job_id: int, reason: str) -> None:
    """The task gave up (S3 unavailable through every retry)."""
    ExportJob.objects.filter(pk=job_id).exclude(state__in=(ExportJobState.DONE, ExportJobState.EXPIRED)).update(
        state=ExportJobState.FAILED, error=reason[:500], finished_at=timezone.now()
    )


def export_files_expire(*, now: datetime | None = None, batch_size: int = SWEEP_BATCH) -> int:
    """Delete the S3 files of done jobs past ``expires_at`` and mark the jobs EXPIRED; the number marked.

    Celery beat runs it (``tasks.export_files_sweep_run``), as does ``manage.py sweep_expired_files``. A batch of
    jobs is read, its objects deleted (no transaction open: each statement commits on its own), then the jobs
    whose object S3 did not refuse to delete are marked. Idempotent: a run that dies between the two steps
    deletes the (now missing, no error) objects again next time; an S3 outage raises ``StorageUnavailable`` with
    the batches before it done.
    """
    now = now or timezone.now()
    due = ExportJob.objects.filter(state=ExportJobState.DONE, expires_at__lte=now).order_by("pk")
    expired = last_pk = 0
    while batch := list(due.filter(pk__gt=last_pk).values_list("pk", "s3_key")[:batch_size]):
        last_pk = batch[-1][0]
        refused = set(s3.delete_objects([key for _, key in batch if key]))
        gone = [pk for pk, key in batch if key not in refused]
        expired += ExportJob.objects.filter(pk__in=gone, state=ExportJobState.DONE).update(state=ExportJobState.EXPIRED)
    if expired:
        logger.info("Deleted the files of %d expired export job(s)", expired)
    return expired


def _notify(job: ExportJob, expires_at: datetime) -> None:
    user = job.requested_by
    if user is None or not user.email:
        return
    where = f"Download it from your export jobs page: {job.page_url}" if job.page_url else "Download it in the admin."
    body = "\n\n".join(
        [
            f"Your {job.get_export_format_display().split(' (')[0]} export of submissions ({job.public_id}) is ready.",
            f"{where}\nThe file is kept until {expires_at:%Y-%m-%d %H:%M} UTC.",
        ]
    )
    email_send.delay(subject="Your export is ready", body=body, to=[user.email])
