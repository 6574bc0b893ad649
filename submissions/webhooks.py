"""The submission events of webhooks (``submission.created``, ``.updated``, ``.status_changed``) and their payload."""

from __future__ import annotations

from functools import partial
from typing import Any

from submissions.constants import SubmissionStatus, VisibilityMode
from submissions.models import Submission
from webhooks.constants import EventType
from webhooks.services import webhook_events_emit


def submission_webhook_payload(submission: Submission, **extra: Any) -> dict[str, Any]:
    """The submission as it is now. A restricted submission's data and metadata are left out (the endpoint is
    the workspace's, and not every ADMIN may read them): a receiver reads them through the API."""
    restricted = submission.visibility_mode != VisibilityMode.WORKSPACE
    payload: dict[str, Any] = {
        "id": submission.public_id,
        "status": submission.status,
        "formId": submission.form.public_id,
        "formVersionId": submission.form_version.public_id,
        "formVersion": submission.form_version.version,
        "restricted": restricted,
        "createdAt": submission.created_at.isoformat(),
        "updatedAt": submission.updated_at.isoformat(),
        **extra,
    }
    if not restricted:
        payload.update(data=submission.data, metadata=submission.metadata)
    return payload


def submission_events_emit(submission: Submission, *, old_status: str | None, data_changed: bool, **extra: Any) -> None:
    """The events of one write (``old_status`` None: it was created). A DRAFT is the client's progress and sends
    nothing; leaving DRAFT is when the workspace's receivers hear of it (``submission.created``)."""
    status = submission.status
    if status == SubmissionStatus.DRAFT:
        return
    events: list[tuple[EventType, dict[str, Any]]] = []
    if old_status is None or old_status == SubmissionStatus.DRAFT:
        events.append((EventType.SUBMISSION_CREATED, extra))
    else:
        if data_changed:
            events.append((EventType.SUBMISSION_UPDATED, extra))
        if status != old_status:
            events.append((EventType.SUBMISSION_STATUS_CHANGED, {"previousStatus": old_status, **extra}))
    webhook_events_emit(
        workspace_id=submission.workspace_id,
        events=[
            (event_type, partial(submission_webhook_payload, submission, **fields)) for event_type, fields in events
        ],
    )
