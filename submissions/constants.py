from django.db import models


class FormStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class SubmissionStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    PENDING = "PENDING", "Pending"
    COMPLETED = "COMPLETED", "Completed"
    EDITED = "EDITED", "Edited"


# The status changes PATCH may make (a no-op "change" to the same status is always allowed).
# EDITED is reached automatically when a COMPLETED submission's data changes, or set explicitly from COMPLETED.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    SubmissionStatus.DRAFT: frozenset({SubmissionStatus.PENDING, SubmissionStatus.COMPLETED}),
    SubmissionStatus.PENDING: frozenset({SubmissionStatus.COMPLETED, SubmissionStatus.DRAFT}),
    SubmissionStatus.COMPLETED: frozenset({SubmissionStatus.PENDING, SubmissionStatus.EDITED}),
    SubmissionStatus.EDITED: frozenset({SubmissionStatus.COMPLETED, SubmissionStatus.PENDING}),
}


class SnapshotTrigger(models.TextChoices):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    STATUS = "status"
    ROLLBACK = "rollback"


SNAPSHOT_DESCRIPTIONS = {
    SnapshotTrigger.CREATE: "Submission created",
    SnapshotTrigger.EDIT: "Submission data edited",
    SnapshotTrigger.SUBMIT: "Submission submitted",
    SnapshotTrigger.STATUS: "Submission status changed",
    SnapshotTrigger.ROLLBACK: "Submission rolled back",
}


class VisibilityMode(models.TextChoices):
    WORKSPACE = "workspace", "All workspace members"
    RESTRICTED = "restricted", "Restricted"


class GrantTargetType(models.TextChoices):
    USER = "user", "User"
    WORKSPACE_ROLE = "workspace_role", "Workspace role"
    OVERSIGHT_WORKSPACE = "oversight_workspace", "Oversight workspace"


class AccessLevel(models.TextChoices):
    VIEWER = "viewer", "Viewer"


class EventType(models.TextChoices):
    NOTE_ADDED = "note_added", "Note added"
    DOCUMENT_ATTACHED = "document_attached", "Document attached"
    DOCUMENT_REMOVED = "document_removed", "Document removed"
    SHARED = "shared", "Share link created"
    SHARED_EMAIL = "shared_email", "Shared by email"
    SHARE_REVOKED = "share_revoked", "Share links revoked"
    VISIBILITY_CHANGED = "visibility_changed", "Visibility changed"
    REASSIGNED = "reassigned", "Reassigned"


HISTORY_LIMIT = 100
# A timeline event's ``details`` key naming the API key it was written through (the history's actor).
EVENT_API_KEY = "apiKey"
# Lists count matching rows exactly up to this many on PostgreSQL, then use the planner's estimate
# (``selectors.submission_list``); the function that returns it is created by migration 0002.
COUNT_EXACT_CAP = 10_000
COUNT_ESTIMATE_FUNCTION = "submissions_count_estimate"
# An estimated total (past the cap) is kept this long per caller and filters (``queue.estimate_cached``).
COUNT_ESTIMATE_SECONDS = 60
# Deep list pages (past COUNT_EXACT_CAP rows) walk their ids in this function, with JIT off (migration 0003).
PAGE_IDS_FUNCTION = "submissions_page_ids"
# The list's sort keys (API name -> column); every order ends with the id, in the same direction.
SORT_FIELDS = {"createdAt": "created_at", "updatedAt": "updated_at", "status": "status"}
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
# The deepest page a list serves (deeper ones are a 400; a cursor reaches any row): its offset stays an integer.
MAX_PAGE = 1_000_000
# A submission's free-form metadata (source, tags...): bounded like everything else it sits beside.
METADATA_MAX_BYTES = 16 * 1024
METADATA_MAX_DEPTH = 5
STATS_DEFAULT_DAYS = 30
STATS_MAX_DAYS = 366


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV (a ZIP of CSV files when the forms have repeatable sections or tables)"
    XLSX = "xlsx", "XLSX"


class PublicSource(models.TextChoices):
    """``metadata.source`` of a submission made on a public form page."""

    PUBLIC_FORM = "public_form", "Public form page"
    INVITATION = "invitation", "Invitation link"


class ExportJobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"  # past expires_at: the sweep deleted its file
