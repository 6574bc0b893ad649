"""Asking for an evidence pack and handing out its files. The worker's generation is ``evidence.generate``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.constants import AuditAction
from audit.services import audit_record
from documents import s3
from evidence.access import evidence_pack_get, evidence_submission_get, evidence_workflow_get
from evidence.constants import LINK_EXPIRY_SECONDS, PackState, PackSubject
from evidence.errors import EvidencePackExpired, EvidencePackNotReady
from evidence.models import EvidencePack
from evidence.tasks import evidence_pack_build
from workspaces.context import WorkspaceContext


def _audit(action: AuditAction, context: WorkspaceContext, pack: EvidencePack) -> None:
    audit_record(
        action=action,
        workspace_id=context.workspace.pk,
        acting_user=context.user,
        target_type="evidence_pack",
        target_id=pack.public_id,
        details={"subjectType": pack.subject_type, "subjectId": pack.subject_id},
    )


def evidence_pack_request(*, context: WorkspaceContext, subject_type: PackSubject, subject_id: str) -> EvidencePack:
    """Record the request (audited) and queue the pack's generation once the request's transaction commits."""
    with transaction.atomic():
        pack = EvidencePack(
            workspace=context.workspace,
            subject_type=subject_type,
            requested_by=context.user,
            requested_by_api_key=context.api_key,
        )
        if subject_type == PackSubject.WORKFLOW:
            pack.workflow = evidence_workflow_get(context=context, workflow_id=subject_id)
        else:
            pack.submission = evidence_submission_get(context=context, submission_id=subject_id)
        pack.save(force_insert=True)
        _audit(AuditAction.EVIDENCE_PACK_REQUESTED, context, pack)
        transaction.on_commit(lambda: evidence_pack_build.delay(pack.pk))
    return pack


@dataclass(frozen=True)
class PackLink:
    format: str
    url: str
    size: int | None
    sha256: str


@dataclass(frozen=True)
class PackLinks:
    pack: EvidencePack
    expires_at: datetime
    links: list[PackLink]


def evidence_pack_links(*, context: WorkspaceContext, pack_id: str) -> PackLinks:
    """Short-lived links to a READY pack's PDF and JSON; every issue is in the audit log."""
    pack = evidence_pack_get(context=context, pack_id=pack_id)
    expires_at = pack.expires_at
    if pack.state == PackState.EXPIRED or (expires_at is not None and expires_at <= timezone.now()):
        raise EvidencePackExpired(
            "The evidence pack's files have expired; ask for a new pack.",
            details={"pack_id": pack.public_id, "expires_at": expires_at.isoformat() if expires_at else None},
        )
    if pack.state != PackState.READY:
        raise EvidencePackNotReady(
            f"The evidence pack is {pack.get_state_display().lower()}, not ready.",
            details={"pack_id": pack.public_id, "state": pack.state},
        )
    name = f"evidence-{pack.subject_id}"
    links = [
        PackLink(
            format=extension,
            url=s3.presigned_get_url(
                key,
                expires_in=LINK_EXPIRY_SECONDS,
                content_disposition=f'{disposition}; filename="{name}.{extension}"',
            ),
            size=size,
            sha256=sha256,
        )
        for extension, key, size, sha256, disposition in (
            ("pdf", pack.pdf_key, pack.pdf_size, pack.pdf_sha256, "inline"),
            ("json", pack.json_key, pack.json_size, pack.json_sha256, "attachment"),
        )
    ]
    _audit(AuditAction.EVIDENCE_PACK_DOWNLOADED, context, pack)
    return PackLinks(pack=pack, expires_at=timezone.now() + timedelta(seconds=LINK_EXPIRY_SECONDS), links=links)
