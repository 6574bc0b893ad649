from django.db import models


class AuditAction(models.TextChoices):
    """What an audit row records. Submission timeline events (``submissions.constants.EventType``: notes, shares,
    visibility and grant changes, reassignments) are recorded under their own event type."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SUBMISSION_READ = "submission_read", "Submission read"
    DOWNLOAD_LINK_ISSUED = "download_link_issued", "Download link issued"
    SUBMISSIONS_EXPORTED = "submissions_exported", "Submissions exported"
    EXPORT_DOWNLOADED = "export_downloaded", "Export file downloaded"
    ROLLED_BACK = "rolled_back", "Submission rolled back"
    FULFILLMENT_DECIDED = "fulfillment_decided", "Document decision"
    REVISION_REQUESTED = "revision_requested", "Revision requested"
    REVISION_REVOKED = "revision_revoked", "Revision link revoked"
    MEMBER_ADDED = "member_added", "Member added"
    MEMBER_ROLE_CHANGED = "member_role_changed", "Member's role changed"
    MEMBER_REMOVED = "member_removed", "Member removed"
    API_KEY_CREATED = "api_key_created", "API key created"
    API_KEY_REVOKED = "api_key_revoked", "API key revoked"
    WORKSPACE_RENAMED = "workspace_renamed", "Workspace renamed"
    OVERSIGHT_CREATED = "oversight_created", "Oversight set up"
    OVERSIGHT_ACTIVATED = "oversight_activated", "Oversight activated"
    OVERSIGHT_DEACTIVATED = "oversight_deactivated", "Oversight deactivated"
    FORM_UPDATED = "form_updated", "Form draft edited"
    FORM_PUBLISHED = "form_published", "Form published"
    FORM_ARCHIVED = "form_archived", "Form archived"
    MATTER_CREATED = "matter_created", "Matter created"
    MATTER_UPDATED = "matter_updated", "Matter renamed"
    MATTER_LINKED = "matter_linked", "Submission linked to a matter"
    MATTER_UNLINKED = "matter_unlinked", "Submission unlinked from a matter"
    EVIDENCE_PACK_REQUESTED = "evidence_pack_requested", "Evidence pack requested"
    EVIDENCE_PACK_DOWNLOADED = "evidence_pack_downloaded", "Evidence pack download link issued"
    EVIDENCE_PACK_FAILED = "evidence_pack_failed", "Evidence pack failed"
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint_created", "Webhook endpoint created"
    WEBHOOK_ENDPOINT_UPDATED = "webhook_endpoint_updated", "Webhook endpoint changed"
    WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint_deleted", "Webhook endpoint deleted"
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated", "Webhook secret rotated"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled", "Webhook endpoint disabled (failing)"
    WEBHOOK_REPLAYED = "webhook_replayed", "Webhook deliveries replayed"
    AUDIT_READ = "audit_read", "Audit log read"
    AUDIT_PRUNED = "audit_pruned", "Audit log pruned (retention)"


# The columns of the CSV export, in order (``AuditEvent`` field names).
EXPORT_FIELDS = [
    "id",
    "created_at",
    "workspace_id",
    "actor_user_id",
    "actor_label",
    "actor_api_key",
    "action",
    "target_type",
    "target_id",
    "ip_address",
    "user_agent",
    "details",
]
# The admin's list counts at most this many rows (then "more than N"): no full COUNT(*) of the log.
ADMIN_COUNT_CAP = 10_000
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
USER_AGENT_MAX = 300
