"""The submission snapshot a decision on a workflow is made on, so the decision can name the version it judged."""

from __future__ import annotations

from dataclasses import dataclass

from submissions.models import Submission
from workflows.models import PublicAction, Workflow


@dataclass(frozen=True)
class WorkflowSnapshot:
    submission: Submission
    snapshot_id: str
    version: int


def workflow_snapshot_current(*, workflow: Workflow) -> WorkflowSnapshot | None:
    """The newest snapshot of the submission the client sent last for the workflow (its public actions), with its
    version (its position in the submission's history); None when no submission came for the workflow."""
    submission = (
        Submission.objects.filter(
            pk__in=PublicAction.objects.filter(workflow=workflow, submission__isnull=False).values("submission_id")
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if submission is None:
        return None
    history = submission.history.all()
    latest = history.order_by("-history_id").values_list("history_id", "snapshot_id").first()
    if latest is None:
        return None
    version = history.filter(history_id__lte=latest[0]).count()
    return WorkflowSnapshot(submission=submission, snapshot_id=str(latest[1]), version=version)
