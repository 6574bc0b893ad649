from django.db import models


class CustomerType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    COMPANY = "company", "Company"


class RelationRole(models.TextChoices):
    """The standard roles; a workspace may use roles of its own as well (the field is not limited to these)."""

    OWNER = "owner", "Owner"
    UBO = "ubo", "Ultimate beneficial owner"
    DIRECTOR = "director", "Director"
    SHAREHOLDER = "shareholder", "Shareholder"
    REPRESENTATIVE = "representative", "Representative"
    AUTHORIZED_SIGNATORY = "authorized_signatory", "Authorized signatory"


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
