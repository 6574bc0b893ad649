from django.db import models


class PackState(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Being generated"
    READY = "READY", "Ready"
    FAILED = "FAILED", "Failed"


class PackSubject(models.TextChoices):
    WORKFLOW = "workflow", "Workflow"
    SUBMISSION = "submission", "Submission"


# The version of the JSON document's layout (``format`` in it); a reader checks it before it reads the rest.
PACK_FORMAT = "evidence-pack/1"
# Where the files live in the bucket; no presigned POST names this prefix.
S3_PREFIX = "evidence"
# How long a download link works.
LINK_EXPIRY_SECONDS = 300
# Bounds of what one pack lists (a timeline of a long-lived case is cut, and says so).
TIMELINE_LIMIT = 500
DOCUMENT_LIMIT = 500
