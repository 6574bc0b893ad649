"""Public form pages: invitation links, a visit's direct uploads, sending, and drafts with their resume links.

Who may answer is decided by ``submissions.access.public_form_entry``; these services take its answer. A page
visit carries a random key (only its hash is stored, on its first upload or send): its uploads belong to it, and a
second Send of the same visit finds what the first one sent instead of writing it again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from config.errors import ValidationFailed
from config.ids import token_hash
from documents import s3
from documents.constants import PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS, DocumentStatus, UploadProblem, UploadSource
from documents.keys import build_key, free_key_name
from documents.models import Document
from documents.services import UploadRequest, document_issue_uploads, document_verify_uploads
from submissions.access import PublicFormEntry
from submissions.constants import SubmissionStatus
from submissions.errors import PublicUploadRefused
from submissions.formschema import clean_form_data, file_field_at, iter_file_values
from submissions.formschema.schema import Invalid
from submissions.ids import share_token
from submissions.models import (
    DraftLink,
    Form,
    FormInvitation,
    PublicFormSession,
    PublicFormUpload,
    Submission,
    SubmissionFile,
)
from submissions.services.submissions import submission_create, submission_update
from submissions.tasks import email_send

_VISIT_KEY = re.compile(r"[A-Za-z0-9_-]{32,100}")
_OLD_PAGE = "This page is too old to upload files: reload it (your answers stay in this page until then)."
_PROBLEMS = {
    UploadProblem.NOT_RECEIVED: "The file did not arrive. Please choose it again.",
    UploadProblem.TOO_LARGE: "The file is larger than the limit. Please choose a smaller one.",
    UploadProblem.WRONG_SIZE: "The file did not arrive whole. Please choose it again.",
    UploadProblem.WRONG_TYPE: "This file type is not accepted. Please choose another file.",
    UploadProblem.CONTENT_CHECK_FAILED: "The file's content is not the type its name says. Please choose another.",
}
# The path of the draft e-mail address's errors: never a field's (keys have no hyphen).
DRAFT_EMAIL = "draft-email"
_NOT_OURS = "This file was not uploaded on this page. Please choose it again."


# --- Invitations -----------------------------------------------------------------------------------


def _live_q_now() -> dict[str, Any]:
    return {"revoked_at__isnull": True, "expires_at__gt": timezone.now()}


@transaction.atomic
def form_invitation_create(
    *, form: Form, acting_user: User | None, label: str = "", expires_in_days: int | None = None
) -> tuple[FormInvitation, str]:
    """A new invitation link to ``form``'s page; returns it with its token, which is not stored (only its hash)."""
    days = expires_in_days or settings.PUBLIC_FORM_INVITATION_TTL_DAYS
    if not 1 <= days <= 365:
        raise ValidationFailed(
            "An invitation lasts 1 to 365 days.", details={"fields": {"expires_in_days": ["1 to 365 days."]}}
        )
    token = share_token()
    invitation = FormInvitation.objects.create(
        form=form,
        token_hash=token_hash(token),
        label=label.strip()[:200],
        created_by=acting_user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return invitation, token


@transaction.atomic
def form_invitations_revoke(*, invitation_ids: Collection[int], acting_user: User | None) -> int:
    """Revoke the live invitations among ``invitation_ids``; their drafts' resume links stop working with them."""
    return FormInvitation.objects.filter(pk__in=invitation_ids, **_live_q_now()).update(revoked_at=timezone.now())


@transaction.atomic
def draft_links_revoke(*, link_ids: Collection[int], acting_user: User | None) -> int:
    """Revoke the live resume links among ``link_ids`` (the drafts stay, as the API's drafts)."""
    return DraftLink.objects.filter(pk__in=link_ids, **_live_q_now()).update(revoked_at=timezone.now())


# --- A visit's uploads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadWanted:
    """A file the page wants to upload: the file field's data path (``key``, ``items[0].key``) and its name."""

    path: str
    file_name: str


@dataclass(frozen=True)
class IssuedUpload:
    path: str
    document: Document
    post: s3.PresignedPost


def _visit_hash(visit_key: str) -> str:
    if not isinstance(visit_key, str) or not _VISIT_KEY.fullmatch(visit_key):
        raise PublicUploadRefused(_OLD_PAGE, details={"fields": {"": [_OLD_PAGE]}})
    return token_hash(visit_key)


def _visit_locked(entry: PublicFormEntry, key_hash: str) -> PublicFormSession:
    """The visit's row, created on first use and locked for the rest of the transaction."""
    visit, _ = PublicFormSession.objects.get_or_create(key_hash=key_hash, defaults={"form": entry.form})
    visit = PublicFormSession.objects.select_for_update(of=("self",)).select_related("submission").get(pk=visit.pk)
    if visit.form_id != entry.form.pk:
        raise PublicUploadRefused(_OLD_PAGE, details={"fields": {"": [_OLD_PAGE]}})
    return visit


def _check_wanted(entry: PublicFormEntry, files: Sequence[UploadWanted]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = defaultdict(list)
    for wanted in files:
        item = file_field_at(entry.version.schema, wanted.path)
        if item is None:
            errors[wanted.path].append("This form has no file field here.")
            continue
        try:
            item.handler.clean_name(item, wanted.file_name)  # type: ignore[attr-defined]
        except Invalid as exc:
            errors[wanted.path].append(str(exc))
    return errors


def public_form_uploads_issue(
    *, entry: PublicFormEntry, visit_key: str, files: Sequence[UploadWanted]
) -> list[IssuedUpload]:
    """Presigned POSTs for files of the page's file fields (1 hour, ``UPLOAD_DEFAULT_MAX_BYTES`` each).

    At most ``PUBLIC_FORM_MAX_FILES`` per visit, within ``PUBLIC_FORM_VISIT_HOURS`` of its first upload; a path
    that is not a file field of the form, or a file type the field does not take, writes nothing. Signing makes no
    network call, so the transaction holds no S3 request.
    """
    key_hash = _visit_hash(visit_key)
    errors = _check_wanted(entry, files)
    if errors:
        raise PublicUploadRefused("Some files cannot be uploaded here.", details={"fields": dict(errors)})
    with transaction.atomic():
        visit = _visit_locked(entry, key_hash)
        if visit.created_at < timezone.now() - timedelta(hours=settings.PUBLIC_FORM_VISIT_HOURS):
            raise PublicUploadRefused(_OLD_PAGE, details={"fields": {"": [_OLD_PAGE]}})
        if visit.uploads.count() + len(files) > settings.PUBLIC_FORM_MAX_FILES:
            message = f"A page may upload at most {settings.PUBLIC_FORM_MAX_FILES} files."
            raise PublicUploadRefused(message, details={"fields": {"": [message]}})
        prefix = build_key(str(entry.form.workspace.public_id), "publicForms", entry.form.public_id, str(visit.pk))
        taken = set(Document.objects.filter(pk__in=visit.uploads.values("document_id")).values_list("key", flat=True))
        issued = document_issue_uploads(
            workspace=entry.form.workspace,
            requests=[
                UploadRequest(
                    file_name=wanted.file_name,
                    key_prefix=prefix,
                    key_name=free_key_name(wanted.file_name, prefix=prefix, taken=taken),
                )
                for wanted in files
            ],
            source=UploadSource.PUBLIC_FORM,
            max_size=settings.UPLOAD_DEFAULT_MAX_BYTES,
            expires_in=PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS,
            acting_user=None,
        )
        PublicFormUpload.objects.bulk_create(
            PublicFormUpload(session=visit, document=document, path=wanted.path)
            for wanted, (document, _) in zip(files, issued, strict=True)
        )
    return [
        IssuedUpload(path=wanted.path, document=document, post=post)
        for wanted, (document, post) in zip(files, issued, strict=True)
    ]


# --- Sending and drafts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    submission: Submission
    draft_token: str = ""  # a draft's new resume link (shown once)
    repeated: bool = False  # the visit had sent already: nothing new was written


def _file_errors(
    entry: PublicFormEntry, visit: PublicFormSession | None, data: dict[str, Any], draft: Submission | None
) -> dict[str, list[str]]:
    """Check every file the data names: the visit's own uploads (verified in S3 now, no transaction open) or a
    file the draft already holds. Plain-word errors by path."""
    named = [(path, str(value)) for path, _, value in iter_file_values(entry.version.schema, data)]
    if not named:
        return {}
    own = (
        {str(upload.document.uuid): upload.document for upload in visit.uploads.select_related("document")}
        if visit is not None
        else {}
    )
    kept = (
        {str(u) for u in SubmissionFile.objects.filter(submission=draft).values_list("document__uuid", flat=True)}
        if draft is not None
        else set()
    )
    errors: dict[str, list[str]] = defaultdict(list)
    for path, value in named:
        if value not in own and value not in kept:
            errors[path].append(_NOT_OURS)
    pending = [
        document
        for value, document in own.items()
        if document.status == DocumentStatus.AWAITING_UPLOAD and any(value == v for _, v in named)
    ]
    verified = {str(v.document.uuid): v.document for v in document_verify_uploads(documents=pending)}
    for path, value in named:
        document = verified.get(value) or own.get(value)
        if document is not None and document.status != DocumentStatus.UPLOADED:
            problem = document.problem or UploadProblem.NOT_RECEIVED
            errors[path].append(_PROBLEMS.get(UploadProblem(problem), _PROBLEMS[UploadProblem.NOT_RECEIVED]))
    return dict(errors)


def _cleaned_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        message = "Enter an e-mail address such as name@example.com, or leave it empty."
        raise ValidationFailed(message, details={"fields": {DRAFT_EMAIL: [message]}}) from None
    return email[:254]


def _issue_draft_link(
    submission: Submission, entry: PublicFormEntry, email: str, build_url: Callable[[str], str]
) -> str:
    """A new resume link for the draft (the draft's older links stop working); e-mailed after commit if asked."""
    now = timezone.now()
    DraftLink.objects.filter(submission=submission, revoked_at__isnull=True).update(revoked_at=now)
    token = share_token()
    link = DraftLink.objects.create(
        submission=submission,
        invitation=entry.invitation,
        token_hash=token_hash(token),
        email=email,
        expires_at=now + timedelta(days=settings.PUBLIC_FORM_DRAFT_TTL_DAYS),
    )
    if email:
        url = build_url(token)
        form, workspace = entry.form.title, entry.form.workspace.name
        subject = f"Continue your answers to {form}"
        body = (
            f"Your answers to {form} ({workspace}) are saved.\n\n"
            f"Continue where you left off until {link.expires_at:%Y-%m-%d}: {url}\n\n"
            "Keep this link private: anyone who has it can see and change your answers."
        )
        transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=[email]))
    return token


def _raise_with_file_errors(
    entry: PublicFormEntry, data: dict[str, Any], file_errors: dict[str, list[str]], *, as_draft: bool
) -> None:
    """Refuse with the files' errors in plain words, and the other fields' errors beside them."""
    fields: dict[str, list[str]] = {}
    try:
        clean_form_data(
            schema=entry.version.schema, data=data, workspace=entry.form.workspace, require_required=not as_draft
        )
    except ValidationFailed as exc:
        fields = dict(exc.details.get("fields") or {})
    fields.update(file_errors)
    raise ValidationFailed("Some files could not be accepted.", details={"fields": fields})


def public_form_send(
    *,
    entry: PublicFormEntry,
    visit_key: str,
    data: dict[str, Any],
    as_draft: bool = False,
    email: str = "",
    build_url: Callable[[str], str] = str,
) -> SendResult:
    """Send the page's answers (a COMPLETED submission, through the same service as ``POST /api/submissions``), or
    save them as a draft with a new private resume link (``as_draft``; e-mailed to ``email`` when given).

    ``metadata.source`` says how the client came (``public_form``, ``invitation``). Files are the visit's uploads,
    verified in S3 before anything is written, or files the resumed draft holds. A visit that already sent gets
    its submission back (``repeated``): a second click never writes twice. Bad input writes nothing.
    """
    key_hash = _visit_hash(visit_key)
    email = _cleaned_email(email) if as_draft else ""
    if not isinstance(data, dict):
        raise ValidationFailed("data must be an object keyed by field key.", details={"fields": {}})
    visit = PublicFormSession.objects.filter(key_hash=key_hash, form=entry.form).select_related("submission").first()
    sent = visit.submission if visit is not None else None
    if sent is not None and sent.status != SubmissionStatus.DRAFT:
        return SendResult(submission=sent, repeated=True)
    draft = entry.draft.submission if entry.draft is not None else sent
    if draft is not None and draft.status != SubmissionStatus.DRAFT:
        return SendResult(submission=draft, repeated=True)
    file_errors = _file_errors(entry, visit, data, draft)
    status = SubmissionStatus.DRAFT if as_draft else SubmissionStatus.COMPLETED
    if file_errors:
        _raise_with_file_errors(entry, data, file_errors, as_draft=as_draft)
    with transaction.atomic():
        visit = _visit_locked(entry, key_hash)
        if visit.submission is not None and visit.submission.status != SubmissionStatus.DRAFT:
            return SendResult(submission=visit.submission, repeated=True)  # a concurrent click won
        if draft is None and visit.submission is not None:  # this visit saved a draft a moment ago
            draft = visit.submission
        if draft is not None:
            submission = submission_update(submission=draft, acting_user=None, data=data, status=status)
        else:
            metadata = {"source": entry.source}
            if entry.invitation is not None:
                metadata["invitationId"] = entry.invitation.public_id
            submission = submission_create(
                workspace=entry.form.workspace,
                form_version=entry.version,
                data=data,
                acting_user=None,
                metadata=metadata,
                status=status,
            )
        visit.submission = submission
        visit.save(update_fields=["submission"])
        token = _issue_draft_link(submission, entry, email, build_url) if as_draft else ""
    return SendResult(submission=submission, draft_token=token)
