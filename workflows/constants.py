from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    COMPANY = "company", "Company"


class WorkflowType(models.TextChoices):
    BUSINESS_APPLICATION = "BUSINESS_APPLICATION"
    BUSINESS_UNDERWRITING = "BUSINESS_UNDERWRITING"
    ACCOUNT_PROVISIONING = "ACCOUNT_PROVISIONING"


class WorkflowStatus(models.TextChoices):
    OPEN = "OPEN"
    WAITING_FOR_CLIENT = "WAITING_FOR_CLIENT"
    IN_REVIEW = "IN_REVIEW"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class RequiredDocumentCategory(models.TextChoices):
    """REQUIREMENT and STIPULATION must be accepted before the workflow completes; OPTIONAL never blocks it."""

    REQUIREMENT = "REQUIREMENT"
    STIPULATION = "STIPULATION"
    OPTIONAL = "OPTIONAL"


class RequiredDocumentStatus(models.TextChoices):
    """Follows the requirement's fulfillments; never set by hand."""

    INACTIVE = "INACTIVE"  # no document linked yet
    PENDING_REVIEW = "PENDING_REVIEW"  # at least one fulfillment awaits a decision, none accepted
    ACCEPTED = "ACCEPTED"  # a fulfillment was accepted
    REJECTED = "REJECTED"  # every fulfillment was rejected


class DecisionStatus(models.TextChoices):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class UploadStatus(models.TextChoices):
    """The ``upload_status`` of the document contract, derived from the upload core's document status."""

    PENDING = "PENDING"
    UPLOADED = "UPLOADED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


# Workflows in these states take no new fulfillments, no decisions and no client input.
CLOSED_WORKFLOW_STATUSES = (WorkflowStatus.COMPLETED, WorkflowStatus.CANCELLED)
# Categories that must be ACCEPTED before the workflow can complete.
BLOCKING_CATEGORIES = (RequiredDocumentCategory.REQUIREMENT, RequiredDocumentCategory.STIPULATION)
# Most fulfillments one batchAdd call may create.
FULFILLMENT_BATCH_MAX = 100


class PublicActionStatus(models.TextChoices):
    """OPEN until the end client submits; AWAITING_UPLOADS until /confirm finds every file; then COMPLETED."""

    OPEN = "OPEN", "Open"
    AWAITING_UPLOADS = "AWAITING_UPLOADS", "Awaiting uploads"
    COMPLETED = "COMPLETED", "Completed"


# The body keys of a public action submission that are not form fields of the root record.
ROLE_ENTITY_KEY = "role-entity"
ROLE_ENTITY_RELATIONS_KEY = "role-entity_relations"
ROOT_REFERENCE = "root"

# The roles the end-client page offers for a related company or person (the API takes any lower-case role).
RELATION_ROLES = (
    ("owner", _("Owner")),
    ("ubo", _("Ultimate beneficial owner")),
    ("shareholder", _("Shareholder")),
    ("director", _("Director")),
    ("representative", _("Legal representative")),
    ("authorized_signatory", _("Authorised signatory")),
)
