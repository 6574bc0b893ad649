"""What the submit and confirm services answer, and completing an action (shared by both)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from perf.history import update_with_history
from workflows.constants import PublicActionStatus, WorkflowStatus
from workflows.models import PublicAction
from workflows.webhooks import public_action_completed_emit


@dataclass(frozen=True)
class FileUpload:
    """One file the client must upload: the record it belongs to, its field, and the signed POST."""

    entity_reference: str | None
    file_name: str
    field_name: str
    url: str
    fields: dict[str, str]
    reason: str | None = None  # on confirm: why the file is not accepted yet (an UploadProblem value)


@dataclass(frozen=True)
class PublicActionResult:
    action: PublicAction
    file_uploads: list[FileUpload] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.action.status == PublicActionStatus.COMPLETED


def complete_action(action: PublicAction, **values: Any) -> None:
    """The action is done (with ``values``, e.g. the submission); its workflow goes to review if it waited."""
    now = timezone.now()
    update_with_history(
        action, {"status": PublicActionStatus.COMPLETED, "completed_at": now, "updated_at": now, **values}
    )
    update_with_history(
        action.workflow,
        {"status": WorkflowStatus.IN_REVIEW, "updated_at": now},
        where=Q(status__in=(WorkflowStatus.OPEN, WorkflowStatus.WAITING_FOR_CLIENT)),
    )
    public_action_completed_emit(action)
