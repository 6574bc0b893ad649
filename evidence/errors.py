"""Error codes of evidence packs."""

from rest_framework import status

from config.errors import ApplicationError, ConflictError, NotFoundError


class EvidencePackNotFound(NotFoundError):
    code = "EVIDENCE_PACK_NOT_FOUND"


class EvidencePackNotReady(ConflictError):
    """Links were asked for before the pack was generated (or after it failed)."""

    code = "EVIDENCE_PACK_NOT_READY"


class EvidencePackExpired(ApplicationError):
    """The pack's files are past ``EVIDENCE_PACK_FILE_TTL_DAYS`` (and deleted, or about to be)."""

    code = "EVIDENCE_PACK_EXPIRED"
    http_status = status.HTTP_410_GONE
