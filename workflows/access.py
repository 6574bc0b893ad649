"""What may change in a workflow, and whether a link token still opens its public action (asked by selectors,
services, API and admin)."""

from __future__ import annotations

from workflows.constants import CLOSED_WORKFLOW_STATUSES, PublicActionStatus
from workflows.models import PublicAction, Workflow

# One refusal per reason; the end client's page translates them (workflows.views), the API keeps English.
LINK_INVALID = "The link is invalid or has expired."
LINK_USED = "This link has already been used."
LINK_REVOKED = "This link was withdrawn by its sender."
LINK_PROCESS_CLOSED = "The process this link belongs to is closed."


def workflow_is_open(workflow: Workflow) -> bool:
    """A COMPLETED or CANCELLED workflow is read-only: no requirement, fulfillment or decision changes."""
    return workflow.status not in CLOSED_WORKFLOW_STATUSES


def public_action_refusal(action: PublicAction, *, allow_completed: bool = False) -> str | None:
    """Why the action's token no longer opens it (used up, revoked, expired, its process closed), or None.

    ``allow_completed`` lets a completed action open (its page shows the reference) however old it is.
    """
    if action.status == PublicActionStatus.COMPLETED:
        return None if allow_completed else LINK_USED
    if action.revoked_at is not None:
        return LINK_REVOKED
    if action.expired:
        return LINK_INVALID
    if not workflow_is_open(action.workflow):
        return LINK_PROCESS_CLOSED
    return None
