"""What may change in a workflow: the one home of the "closed workflow" rule, asked by services, API and admin."""

from __future__ import annotations

from workflows.constants import CLOSED_WORKFLOW_STATUSES
from workflows.models import Workflow


def workflow_is_open(workflow: Workflow) -> bool:
    """A COMPLETED or CANCELLED workflow is read-only: no requirement, fulfillment or decision changes."""
    return workflow.status not in CLOSED_WORKFLOW_STATUSES
