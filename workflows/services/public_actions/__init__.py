"""Public actions: create a link, take the end client's submission, issue its uploads, confirm them."""

from workflows.services.public_actions.confirm import public_action_confirm
from workflows.services.public_actions.links import (
    MAX_TTL_DAYS,
    public_action_check,
    public_action_create,
    public_action_revoke,
)
from workflows.services.public_actions.results import FileUpload, PublicActionResult
from workflows.services.public_actions.submit import public_action_submit

__all__ = [
    "MAX_TTL_DAYS",
    "FileUpload",
    "PublicActionResult",
    "public_action_check",
    "public_action_confirm",
    "public_action_create",
    "public_action_revoke",
    "public_action_submit",
]
