from django.db import models


class PackState(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Being generated"
    READY = "READY", "Ready"
    FAILED = "FAILED", "Failed"
    EXPIRED = "EXPIRED", "Expired"  # past EVIDENCE_PACK_FILE_TTL_DAYS: its files were deleted


class PackSubject(models.TextChoices):
    WORKFLOW = "workflow", "Workflow"
    SUBMISSION = "submission", "Submission"


# The version of the JSON document's layout (``format`` in it); a reader checks it before it reads the rest.
PACK_FORMAT = "evidence-pack/1"
# Where the files live in the bucket; no presigned POST names this prefix.
S3_PREFIX = "evidence"
# A page of GET /api/evidence-packs.
LIST_DEFAULT_LIMIT = 50
LIST_MAX_LIMIT = 200
# How long a download link works.
LINK_EXPIRY_SECONDS = 300
# Bounds of what one pack lists (a timeline of a long-lived case is cut, and says so).
TIMELINE_LIMIT = 500
DOCUMENT_LIMIT = 500
