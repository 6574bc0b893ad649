from django.db import models


class EventType(models.TextChoices):
    """What an endpoint may subscribe to; the payload of each is the object's state when it happened."""

    SUBMISSION_CREATED = "submission.created", "Submission created"
    SUBMISSION_UPDATED = "submission.updated", "Submission updated"
    SUBMISSION_STATUS_CHANGED = "submission.status_changed", "Submission status changed"
    PUBLIC_ACTION_COMPLETED = "public_action.completed", "Public action completed"
    DOCUMENT_ACCEPTED = "document.accepted", "Document accepted (upload verified)"
    DOCUMENT_REJECTED = "document.rejected", "Document rejected (upload verification failed)"
    FULFILLMENT_DECIDED = "fulfillment.decided", "Fulfillment decided"
    REVISION_REQUESTED = "revision.requested", "Revision requested"
    WORKFLOW_COMPLETED = "workflow.completed", "Workflow completed"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"  # queued, or waiting for its next attempt (``next_attempt_at``)
    DELIVERED = "DELIVERED", "Delivered"
    FAILED = "FAILED", "Failed"  # given up (or a refusal not worth retrying); may be replayed


ENDPOINT_ID_PREFIX = "we_"  # (evidence packs are ep_)
EVENT_ID_PREFIX = "msg_"  # the Standard Webhooks `webhook-id`
DELIVERY_ID_PREFIX = "dlv_"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
URL_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 200
RESPONSE_EXCERPT_CHARS = 500
ERROR_MAX_CHARS = 300
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# How long the previous secret still signs after a rotation, by default and at most.
DEFAULT_ROTATION_OVERLAP_HOURS = 24
MAX_ROTATION_OVERLAP_HOURS = 7 * 24
