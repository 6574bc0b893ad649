"""Error codes of evidence packs."""

from config.errors import ConflictError, NotFoundError


class EvidencePackNotFound(NotFoundError):
    code = "EVIDENCE_PACK_NOT_FOUND"


class EvidencePackNotReady(ConflictError):
    """Links were asked for before the pack was generated (or after it failed)."""

    code = "EVIDENCE_PACK_NOT_READY"
