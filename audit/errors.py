from config.errors import ApplicationError


class RetentionNotSet(ApplicationError):
    code = "AUDIT_RETENTION_NOT_SET"
    http_status = 400
