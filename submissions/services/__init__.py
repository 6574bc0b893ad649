"""Every write with rules of the submissions app, one module per area; import them from here.

Snapshots are the history rows of ``Submission``: a save that changes data or status writes one (its change
reason is the trigger); a save that changes neither writes none (``save_without_historical_record``).
"""

from submissions.services.matters import matter_create, matter_link_submission, matter_unlink_submission, matter_update
from submissions.services.submissions import (
    Keep,
    attachment_add,
    attachment_remove,
    form_archive,
    form_create,
    form_publish,
    form_slug_check,
    form_update,
    note_create,
    share_link_create,
    share_link_email,
    share_links_revoke,
    submission_create,
    submission_delete,
    submission_mark_read,
    submission_record_read,
    submission_rollback,
    submission_submit,
    submission_update,
)
from submissions.services.visibility import GrantRequest, visibility_set

__all__ = [
    "Keep",
    "GrantRequest",
    "attachment_add",
    "attachment_remove",
    "form_archive",
    "form_create",
    "form_publish",
    "form_slug_check",
    "form_update",
    "matter_create",
    "matter_link_submission",
    "matter_unlink_submission",
    "matter_update",
    "note_create",
    "share_link_create",
    "share_link_email",
    "share_links_revoke",
    "submission_create",
    "submission_delete",
    "submission_mark_read",
    "submission_record_read",
    "submission_rollback",
    "submission_submit",
    "submission_update",
    "visibility_set",
]
