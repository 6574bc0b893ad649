"""The worker's part: generate a pack's JSON and PDF, store both in S3, and record the outcome on the pack.

No database transaction is open while the content is read, the PDF rendered or S3 written; the pack row is
locked only to claim it and to record the result. Running it twice is harmless: a READY (or EXPIRED) pack is left
alone, and a retry writes the same keys again. A pack that fails is logged and recorded in the audit log
(``evidence_pack_failed``, with the reason its requester reads in the API).
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone

from audit.constants import AuditAction
from audit.services import audit_record
from config.errors import ApplicationError
from documents import s3
from documents.errors import StorageUnavailable
from evidence.access import evidence_subject_check, requester_context
from evidence.constants import S3_PREFIX, PackState
from evidence.content import pack_content
from evidence.models import EvidencePack
from evidence.render import pack_pdf

logger = logging.getLogger(__name__)

ERROR_MAX = 500


class RequesterGone(ApplicationError):
    code = "REQUESTER_GONE"


def pack_key(pack: EvidencePack, extension: str) -> str:
    return f"{S3_PREFIX}/{pack.workspace.public_id}/{pack.public_id}/evidence-{pack.subject_id}.{extension}"


def _set_state(pack_pk: int, state: PackState, error: str = "", **fields: object) -> None:
    with transaction.atomic():
        pack = EvidencePack.objects.select_for_update().get(pk=pack_pk)
        pack.state, pack.error = state, error[:ERROR_MAX]
        for name, value in fields.items():
            setattr(pack, name, value)
        if state in (PackState.READY, PackState.FAILED):
            pack.finished_at = timezone.now()
        pack.save()


def _claim(pack_pk: int) -> EvidencePack | None:
    """The pack, marked RUNNING; None when it is gone or already READY (or EXPIRED)."""
    with transaction.atomic():
        pack = (
            EvidencePack.objects.select_for_update(of=("self",))
            .select_related("workspace", "workflow", "submission", "requested_by", "requested_by_api_key")
            .filter(pk=pack_pk)
            .first()
        )
        if pack is None or pack.state in (PackState.READY, PackState.EXPIRED):
            return None
        pack.state, pack.error, pack.started_at = PackState.RUNNING, "", timezone.now()
        pack.save(update_fields=["state", "error", "started_at"])
    return pack


def evidence_pack_generate(*, pack_pk: int) -> None:
    """Generate the pack (``StorageUnavailable`` escapes with the pack back in QUEUED, for the task to retry)."""
    pack = _claim(pack_pk)
    if pack is None:
        return
    try:
        context = requester_context(pack)
        if context is None:
            raise RequesterGone("The member or API key that asked for this pack no longer has access.")
        evidence_subject_check(context=context, pack=pack)
        content = pack_content(pack, context)
        body = json.dumps(content, ensure_ascii=False, indent=2).encode()
        json_sha256 = hashlib.sha256(body).hexdigest()
        pdf, pages = pack_pdf(content, json_sha256=json_sha256)
        json_key, pdf_key = pack_key(pack, "json"), pack_key(pack, "pdf")
        s3.put_object(json_key, body, "application/json")
        s3.put_object(pdf_key, pdf, "application/pdf")
    except StorageUnavailable as exc:
        _set_state(pack.pk, PackState.QUEUED, exc.message)
        raise
    except ApplicationError as exc:  # the requester may no longer see the subject
        _fail(pack.pk, exc.message)
        return
    except Exception:
        _fail(pack.pk, "The pack could not be generated; please ask for it again.")
        raise
    _set_state(
        pack.pk,
        PackState.READY,
        json_key=json_key,
        json_size=len(body),
        json_sha256=json_sha256,
        pdf_key=pdf_key,
        pdf_size=len(pdf),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pages=pages,
    )


def _fail(pack_pk: int, reason: str) -> None:
    """FAILED with ``reason``, logged and in the audit log, in one transaction."""
    with transaction.atomic():
        _set_state(pack_pk, PackState.FAILED, reason)
        pack = EvidencePack.objects.select_related("workflow", "submission").get(pk=pack_pk)
        audit_record(
            action=AuditAction.EVIDENCE_PACK_FAILED,
            workspace_id=pack.workspace_id,
            acting_user=None,
            target_type="evidence_pack",
            target_id=pack.public_id,
            details={"subjectType": pack.subject_type, "subjectId": pack.subject_id, "reason": pack.error},
        )
    logger.warning("Evidence pack %s failed: %s", pack.public_id, reason)


def evidence_pack_give_up(*, pack_pk: int, reason: str) -> None:
    """The last retry failed: FAILED, with the reason."""
    _fail(pack_pk, reason)
