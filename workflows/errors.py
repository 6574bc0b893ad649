"""Error codes of the workflows app. Services raise these; every surface renders them as a clear 4xx."""

from rest_framework import status

from config.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed


class DuplicateReference(ApplicationError):
    """A subject record reference is already used in the workspace (or twice in one request)."""

    code = "DUPLICATE_REFERENCE"
    http_status = status.HTTP_400_BAD_REQUEST


class InvalidToken(ApplicationError):
    """A public action token that is unknown, expired or already used up."""

    code = "INVALID_TOKEN"
    http_status = status.HTTP_401_UNAUTHORIZED


class PublicActionValidationError(ValidationFailed):
    code = "VALIDATION_ERROR"


class PublicActionStateError(ConflictError):
    code = "PUBLIC_ACTION_STATE"


class WorkflowNotFound(NotFoundError):
    code = "WORKFLOW_NOT_FOUND"


class FormVersionNotFound(NotFoundError):
    code = "FORM_VERSION_NOT_FOUND"


# --- Documents, required documents and fulfillments (the document contract) ----------------------


class SubjectRecordNotFound(NotFoundError):
    code = "SUBJECT_RECORD_NOT_FOUND"


class DocumentNotFound(NotFoundError):
    code = "DOCUMENT_NOT_FOUND"


class RequiredDocumentNotFound(NotFoundError):
    code = "REQUIRED_DOCUMENT_NOT_FOUND"


class FulfillmentNotFound(NotFoundError):
    code = "FULFILLMENT_NOT_FOUND"


class RevisionRequestNotFound(NotFoundError):
    code = "REVISION_REQUEST_NOT_FOUND"


class RequiredDocumentWorkflowMismatch(ApplicationError):
    """The required document belongs to another workflow of the workspace."""

    code = "REQUIRED_DOCUMENT_WORKFLOW_MISMATCH"
    http_status = status.HTTP_400_BAD_REQUEST


class DocumentSubjectMismatch(ApplicationError):
    """The document belongs to a subject record that is neither the workflow's nor related to it."""

    code = "DOCUMENT_SUBJECT_MISMATCH"
    http_status = status.HTTP_400_BAD_REQUEST


class DocumentNotUploaded(ConflictError):
    code = "DOCUMENT_NOT_UPLOADED"


class DocumentQuarantined(ConflictError):
    """The document failed its content check or malware scan: it fulfils nothing and cannot be accepted."""

    code = "DOCUMENT_QUARANTINED"


class DuplicateFulfillment(ConflictError):
    code = "DUPLICATE_FULFILLMENT"


class WorkflowClosed(ConflictError):
    code = "WORKFLOW_CLOSED"


class FulfillmentAlreadyDecided(ConflictError):
    code = "FULFILLMENT_ALREADY_DECIDED"


class RequirementsOutstanding(ConflictError):
    code = "REQUIREMENTS_OUTSTANDING"
