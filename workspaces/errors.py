from rest_framework import status

from config.errors import ApplicationError, ConflictError, PermissionDeniedError


class WorkspaceAccessDenied(ApplicationError):
    code = "WORKSPACE_ACCESS_DENIED"
    http_status = status.HTTP_403_FORBIDDEN


class WorkspaceNotSelected(ApplicationError):
    code = "WORKSPACE_NOT_SELECTED"
    http_status = status.HTTP_403_FORBIDDEN


class InsufficientRole(PermissionDeniedError):
    code = "INSUFFICIENT_ROLE"


class MembershipRefused(ConflictError):
    code = "MEMBERSHIP_REFUSED"


class OversightRefused(ConflictError):
    code = "OVERSIGHT_REFUSED"
