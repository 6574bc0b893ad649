"""Confirming a public action's uploads: verify every expected file in S3; complete, or re-issue the rest."""

from __future__ import annotations

from django.db import transaction

from documents import s3
from documents.constants import PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS, DocumentStatus
from documents.filetypes import MAGIC_PREFIX_BYTES
from documents.models import Document
from documents.services import document_reissue_uploads, document_verify_uploads
from workflows.constants import PublicActionStatus
from workflows.errors import PublicActionStateError
from workflows.models import PublicAction, PublicActionFile
from workflows.selectors.public_actions import public_action_files, public_action_get_by_token
from workflows.services.public_actions.results import FileUpload, PublicActionResult, complete_action


def _prefix_of(item: PublicActionFile) -> str:
    return item.record_document.document.key.rsplit("/", 1)[0]


def _probe(key: str) -> s3.ObjectProbe | None:
    return s3.probe_object(key, MAGIC_PREFIX_BYTES)


def _listing(prefix: str) -> dict[str, s3.ObjectInfo]:
    return s3.list_sizes(prefix + "/")


def public_action_confirm(*, token: str) -> PublicActionResult:
    """POST /v3/public/actions/{token}/confirm: verify every expected file; complete, or re-issue the rest.

    S3 calls: one listing per record prefix for presence, then one ranged GET per present, unverified file
    (size, content type, magic bytes). A missing file costs no GET; an accepted one is never read again.
    S3 is read first, with no transaction open and no row locked; then the action is locked, read again and
    written (a confirm that completed meanwhile wins). An S3 fault is StorageUnavailable (503) and changes nothing.
    SQL: a constant number of queries; the documents are verified and re-issued in bulk.
    """
    action = _confirmable(public_action_get_by_token(token=token, allow_completed=True, with_forms=False))
    if action.status == PublicActionStatus.COMPLETED:
        return PublicActionResult(action=action)
    pending = [
        item
        for item in public_action_files(action=action)
        if item.record_document.document.status != DocumentStatus.UPLOADED
    ]
    prefixes = sorted({_prefix_of(item) for item in pending})
    listings = dict(zip(prefixes, s3.in_parallel(_listing, prefixes), strict=True))
    present = [
        item.record_document.document.key
        for item in pending
        if item.record_document.document.status == DocumentStatus.AWAITING_UPLOAD
        and item.record_document.document.key in listings[_prefix_of(item)]
    ]
    probes = dict(zip(present, s3.in_parallel(_probe, present), strict=True))
    # A file not listed, or deleted between the listing and the read, has no probe: it is missing. Accepting copies
    # each good file to its final key (S3, no transaction open); the documents are then locked, read again and
    # written in one short transaction of their own.
    verifications = document_verify_uploads(
        documents=[item.record_document.document for item in pending], probes=probes
    )
    for item, verification in zip(pending, verifications, strict=True):
        item.record_document.document = verification.document
    unaccepted = [item for item, verification in zip(pending, verifications, strict=True) if not verification.accepted]

    with transaction.atomic():
        action = _confirmable(
            public_action_get_by_token(token=token, for_update=True, allow_completed=True, with_forms=False)
        )
        if action.status == PublicActionStatus.COMPLETED:
            return PublicActionResult(action=action)
        # Read again under the action's lock: a file another confirm or the S3-event worker accepted meanwhile
        # is not re-issued.
        accepted_since = set(
            Document.objects.filter(
                pk__in=[item.record_document.document.pk for item in unaccepted], status=DocumentStatus.UPLOADED
            ).values_list("pk", flat=True)
        )
        reissue = [item for item in unaccepted if item.record_document.document.pk not in accepted_since]
        posts = document_reissue_uploads(
            documents=[item.record_document.document for item in reissue],
            expires_in=PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS,
        )
        uploads = [
            FileUpload(
                item.entity_reference or None,
                item.record_document.document.original_name,
                item.record_document.field_name,
                post.url,
                post.fields,
                item.record_document.document.problem,
            )
            for item, post in zip(reissue, posts, strict=True)
        ]
        if not uploads:
            complete_action(action)
        return PublicActionResult(action=action, file_uploads=uploads)


def _confirmable(action: PublicAction) -> PublicAction:
    if action.status == PublicActionStatus.OPEN:
        raise PublicActionStateError(
            "Nothing has been submitted on this link yet.", http_status=400, details={"status": action.status}
        )
    return action
