"""Forms, submissions (snapshots, rollback), notes, attachments and sharing."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from audit.constants import AuditAction
from audit.services import audit_record
from config.actors import current_api_key_name
from config.errors import ValidationFailed
from config.ids import token_hash
from documents.access import document_hidden_q
from documents.constants import DocumentStatus
from documents.models import Document
from perf import snapshots
from perf.history import bulk_create_with_history
from submissions.constants import (
    EVENT_API_KEY,
    STATUS_TRANSITIONS,
    EventType,
    FormStatus,
    SnapshotTrigger,
    SubmissionStatus,
)
from submissions.errors import (
    AttachmentNotFound,
    DocumentNotAttachable,
    FileNotFound,
    FormArchived,
    FormNotFound,
    InvalidAssignee,
    InvalidStatusTransition,
)
from submissions.formschema import (
    FileValues,
    clean_form_data,
    document_uuids,
    file_field_keys,
    sanitize_text,
    sanitize_value,
    validate_form_schema,
)
from submissions.history import Snapshot
from submissions.ids import share_token
from submissions.models import (
    Form,
    FormVersion,
    ShareLink,
    Submission,
    SubmissionAttachment,
    SubmissionEvent,
    SubmissionFile,
    SubmissionNote,
)
from submissions.selectors import attachment_get
from submissions.tasks import email_send
from submissions.webhooks import submission_events_emit
from workspaces.models import Workspace
from workspaces.selectors import membership_get

# --- Forms ---------------------------------------------------------------------------------------


def _schema_object(schema: Any) -> dict[str, Any]:
    if not isinstance(schema, dict):
        raise ValidationFailed("schema must be an object with 'fields' and 'sections'.", details={"fields": {}})
    return schema


def form_slug_check(*, workspace: Workspace, slug: str) -> None:
    """A form's slug is unique in its workspace: refused in words (also asked by the admin's form before it saves)."""
    if Form.objects.filter(workspace=workspace, slug=slug).exists():
        message = f"The workspace already has a form with the slug “{slug}”: choose another."
        raise ValidationFailed(message, details={"fields": {"slug": [message]}})


@transaction.atomic
def form_create(
    *,
    workspace: Workspace,
    title: str,
    acting_user: User | None,
    slug: str = "",
    description: str = "",
    schema: dict[str, Any] | None = None,
    is_public: bool = False,
) -> Form:
    title = sanitize_text(title)
    if not title:
        raise ValidationFailed("title is required.", details={"fields": {"title": ["This field is required."]}})
    base = slugify(slug or title)[:70] or "form"
    if slug:  # asked for: taken is refused
        form_slug_check(workspace=workspace, slug=base)
    candidate, n = base, 1
    while Form.objects.filter(workspace=workspace, slug=candidate).exists():  # made from the title: numbered
        n += 1
        candidate = f"{base}-{n}"
    return Form.objects.create(
        workspace=workspace,
        title=title,
        slug=candidate,
        description=sanitize_text(description),
        schema=_schema_object(schema or {"fields": []}),
        is_public=is_public,
        created_by=acting_user,
    )


def _lock_form(form: Form) -> Form:
    return Form.objects.select_for_update().get(pk=form.pk)


def _audit_form(action: AuditAction, form: Form, acting_user: User | None, **details: object) -> None:
    audit_record(
        action=action,
        workspace_id=form.workspace_id,
        acting_user=acting_user,
        target_type="form",
        target_id=form.public_id,
        details={"title": form.title, **details},
    )


@transaction.atomic
def form_update(
    *,
    form: Form,
    acting_user: User | None,
    title: str | None = None,
    description: str | None = None,
    schema: dict[str, Any] | None = None,
    is_public: bool | None = None,
) -> Form:
    """Edit the draft: title, description and the schema the next publish freezes. Published versions stay.

    ``is_public`` opens the form's page to the public (``/f/<workspace>/<form>/``) or closes it, at once.
    """
    form = _lock_form(form)
    if form.status == FormStatus.ARCHIVED:
        raise FormArchived("An archived form cannot be edited.")
    if title is not None:
        form.title = sanitize_text(title) or form.title
    if description is not None:
        form.description = sanitize_text(description)
    if schema is not None:
        form.schema = _schema_object(schema)
    if is_public is not None:
        form.is_public = is_public
    form.save()
    _audit_form(AuditAction.FORM_UPDATED, form, acting_user, schemaChanged=schema is not None, isPublic=form.is_public)
    return form


@transaction.atomic
def form_publish(*, form: Form, acting_user: User | None) -> FormVersion:
    """Validate the draft schema and freeze it as the next immutable FormVersion."""
    form = _lock_form(form)
    if form.status == FormStatus.ARCHIVED:
        raise FormArchived("An archived form cannot be published.")
    validate_form_schema(form.schema)
    latest = form.versions.aggregate(latest=Max("version"))["latest"] or 0
    version = FormVersion.objects.create(form=form, version=latest + 1, schema=form.schema, published_by=acting_user)
    form.status = FormStatus.PUBLISHED
    form.save(update_fields=["status", "updated_at"])
    _audit_form(AuditAction.FORM_PUBLISHED, form, acting_user, version=version.version)
    return version


@transaction.atomic
def form_archive(*, form: Form, acting_user: User | None) -> Form:
    """No new submissions; existing ones and their versions stay."""
    form = _lock_form(form)
    if form.status != FormStatus.ARCHIVED:
        form.status = FormStatus.ARCHIVED
        form.save(update_fields=["status", "updated_at"])
        _audit_form(AuditAction.FORM_ARCHIVED, form, acting_user)
    return form


# --- Submissions ---------------------------------------------------------------------------------


def _save_snapshot(submission: Submission, *, trigger: str, acting_user: User | None) -> None:
    """Save with a new snapshot, whose data is stored as a delta against the latest one when that is smaller
    (``perf.snapshots``; the history reads the newest few stored values, so it needs no previous data).
    """
    if submission.pk is None:  # the first snapshot holds the data; written with the row in one statement
        bulk_create_with_history([submission], Submission, history_user=acting_user, change_reason=trigger)
        _sync_files(submission, created=True)
        return
    submission._change_reason = trigger  # type: ignore[attr-defined]
    submission._history_user = acting_user  # type: ignore[attr-defined]
    recent = submission.history.order_by("-history_id").values_list("data", flat=True)
    stored = snapshots.to_store(recent=list(recent[: snapshots.KEYFRAME_EVERY - 1]), data=submission.data)
    submission._snapshot_data = stored  # type: ignore[attr-defined]
    submission.save()
    _sync_files(submission)


def _sync_files(submission: Submission, *, created: bool = False) -> None:
    """Keep ``SubmissionFile`` (which documents the file fields name) in step with the data just saved.

    No query for a form without file fields, nor for a new submission that names no document.
    """
    schema = submission.form_version.schema
    if not file_field_keys(schema):
        return
    named = document_uuids(schema, submission.data)
    if created and not named:
        return
    documents = set(
        Document.objects.filter(workspace_id=submission.workspace_id, uuid__in=named).values_list("pk", flat=True)
    )
    links = SubmissionFile.objects.filter(submission=submission)
    if not created:
        links.exclude(document_id__in=documents).delete()
        documents -= set(links.values_list("document_id", flat=True))
    SubmissionFile.objects.bulk_create(
        [SubmissionFile(submission=submission, document_id=pk) for pk in sorted(documents)], ignore_conflicts=True
    )


def _event(submission: Submission, *, type: EventType, description: str, actor: User | None, **details: Any) -> None:
    """A timeline event of the submission (the history endpoint's), recorded in the audit log too (whose row
    names the key in a column of its own); the event keeps the key's name in its details."""
    key = current_api_key_name()
    stored = {**details, EVENT_API_KEY: key} if key else details
    SubmissionEvent.objects.create(
        submission=submission, type=type, description=description, actor=actor, details=stored
    )
    _audit(submission, action=type, acting_user=actor, description=description, **details)


def _audit(submission: Submission, *, action: str, acting_user: User | None, **details: Any) -> None:
    audit_record(
        action=action,
        workspace_id=submission.workspace_id,
        acting_user=acting_user,
        target_type="submission",
        target_id=submission.public_id,
        details=details,
    )


def submission_record_read(*, submission: Submission, acting_user: User | None, via: str, **details: Any) -> None:
    """A submission was shown (``via``: api, admin, share_page): the audit log records who read it."""
    _audit(submission, action=AuditAction.SUBMISSION_READ, acting_user=acting_user, via=via, **details)


def _clean(
    form_version: FormVersion,
    *,
    workspace: Workspace,
    data: Any,
    status: str,
    file_values: FileValues = "documents",
) -> dict[str, Any]:
    return clean_form_data(
        schema=form_version.schema,
        data=data,
        workspace=workspace,
        require_required=status != SubmissionStatus.DRAFT,
        file_values=file_values,
    )


def _metadata(metadata: Any) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise ValidationFailed("metadata must be an object.", details={"fields": {"metadata": ["Must be an object."]}})
    cleaned: dict[str, Any] = sanitize_value(metadata)
    return cleaned


def submission_create(
    *,
    workspace: Workspace,
    form_version: FormVersion,
    data: dict[str, Any],
    acting_user: User | None,
    metadata: dict[str, Any] | None = None,
    status: str = SubmissionStatus.COMPLETED,
    user: User | None = None,
    file_values: FileValues = "documents",
    prevalidated: bool = False,
) -> Submission:
    """Record a submission of ``form_version`` (snapshot version 1, trigger ``create``).

    ``status`` is COMPLETED (what the API persists) or DRAFT (required fields are then not enforced).
    ``user`` is the submitter (default: ``acting_user``). Data is cleaned with ``clean_form_data``; a caller
    that already cleaned it (the public action flow) passes ``prevalidated=True`` and it is stored as given.

    Everything is checked before the one atomic write, which takes no savepoint: a caller that already holds a
    transaction (the public action submit) saves two statements, and a domain error still leaves its
    transaction usable.
    """
    if status not in (SubmissionStatus.COMPLETED, SubmissionStatus.DRAFT, SubmissionStatus.PENDING):
        raise ValidationFailed(
            f"A new submission is COMPLETED or DRAFT, not {status!r}.", details={"fields": {"status": [status]}}
        )
    form = form_version.form
    if form.workspace_id != workspace.pk:
        raise FormNotFound("This form version belongs to another workspace.")
    if form.status == FormStatus.ARCHIVED:
        raise FormArchived("This form is archived and takes no new submissions.")
    if not prevalidated:
        data = _clean(form_version, workspace=workspace, data=data, status=status, file_values=file_values)
    submission = Submission(
        workspace=workspace,
        form=form,
        form_version=form_version,
        status=status,
        data=data,
        metadata=_metadata(metadata or {}),
        user=user if user is not None else acting_user,
    )
    with transaction.atomic(savepoint=False):
        _save_snapshot(submission, trigger=SnapshotTrigger.CREATE, acting_user=acting_user)
        submission_events_emit(submission, old_status=None, data_changed=True)
    return submission


def _check_transition(current: str, wanted: str) -> None:
    if wanted not in SubmissionStatus.values:
        raise ValidationFailed(
            f"Invalid status {wanted!r}; use one of {SubmissionStatus.values}.",
            details={"fields": {"status": [f"Must be one of {SubmissionStatus.values}."]}},
        )
    if wanted != current and wanted not in STATUS_TRANSITIONS[current]:
        raise InvalidStatusTransition(
            f"A {current} submission cannot become {wanted}.",
            details={"from": current, "to": wanted, "allowed": sorted(STATUS_TRANSITIONS[current])},
        )


def _lock(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("form", "form_version").get(pk=submission.pk)


class Keep(enum.Enum):
    """``submission_update(user_id=Keep.KEEP)``: leave the assignee as it is (None unassigns)."""

    KEEP = "keep"


def _assignee(submission: Submission, user_id: str | None) -> User | None:
    if user_id is None:
        return None
    membership = membership_get(workspace_id=submission.workspace_id, user_id=user_id)
    if membership is None:
        raise InvalidAssignee(
            "userId must name a member of the submission's workspace.", details={"fields": {"userId": [user_id]}}
        )
    return membership.user


@transaction.atomic
def submission_update(
    *,
    submission: Submission,
    acting_user: User | None,
    data: dict[str, Any] | None = None,
    status: SubmissionStatus | None = None,
    metadata: dict[str, Any] | None = None,
    user_id: str | None | Literal[Keep.KEEP] = Keep.KEEP,
) -> Submission:
    """PATCH: data replaces, status moves along STATUS_TRANSITIONS, metadata replaces, ``user_id`` reassigns
    (None: to nobody). What is not given (None, ``user_id`` KEEP) stays as it is.

    A data change on a COMPLETED submission makes it EDITED. A snapshot is written only when data or status
    changed; metadata and reassignment alone write none (reassignment is an audit event).
    """
    submission = _lock(submission)
    old_status, old_data = submission.status, submission.data
    new_status = old_status if status is None else status
    _check_transition(old_status, new_status)
    if data is not None:
        submission.data = _clean(submission.form_version, workspace=submission.workspace, data=data, status=new_status)
    elif new_status != old_status and old_status == SubmissionStatus.DRAFT:
        # Leaving DRAFT: what was saved as progress must now hold the required fields.
        _clean(submission.form_version, workspace=submission.workspace, data=old_data, status=new_status)
    data_changed = submission.data != old_data
    if data_changed and old_status == SubmissionStatus.COMPLETED and new_status == SubmissionStatus.COMPLETED:
        new_status = SubmissionStatus.EDITED
    submission.status = new_status
    if metadata is not None:
        submission.metadata = _metadata(metadata)
    reassigned = False
    if user_id is not Keep.KEEP:
        assignee = _assignee(submission, user_id)
        reassigned = (assignee.pk if assignee else None) != submission.user_id
        submission.user = assignee
        if reassigned:  # unread in the review queue until the new assignee opens it (``submission_mark_read``)
            submission.assignee_read_at = None

    if data_changed:
        _save_snapshot(submission, trigger=SnapshotTrigger.EDIT, acting_user=acting_user)
    elif new_status != old_status:
        trigger = SnapshotTrigger.SUBMIT if old_status == SubmissionStatus.DRAFT else SnapshotTrigger.STATUS
        _save_snapshot(submission, trigger=trigger, acting_user=acting_user)
    else:
        submission.save_without_historical_record()  # type: ignore[attr-defined]
    submission_events_emit(submission, old_status=old_status, data_changed=data_changed)
    if reassigned:
        name = _display_name(submission.user) if submission.user else "nobody"
        _event(
            submission,
            type=EventType.REASSIGNED,
            description=f"Reassigned to {name}",
            actor=acting_user,
            userId=str(submission.user_id) if submission.user_id else None,
        )
    return submission


def submission_mark_read(*, submission: Submission, acting_user: User | None) -> bool:
    """The assignee opened the submission: clear its unread marker (one UPDATE; no snapshot, no event).

    Anyone else opening it changes nothing. Returns whether the marker was cleared now.
    """
    if acting_user is None or submission.user_id != acting_user.pk or submission.assignee_read_at is not None:
        return False
    now = timezone.now()
    updated = Submission.objects.filter(pk=submission.pk, user=acting_user, assignee_read_at__isnull=True).update(
        assignee_read_at=now
    )
    submission.assignee_read_at = now
    return bool(updated)


@transaction.atomic
def submission_submit(*, submission: Submission, acting_user: User | None) -> Submission:
    """DRAFT -> PENDING, once the saved data holds every required field."""
    submission = _lock(submission)
    if submission.status != SubmissionStatus.DRAFT:
        raise InvalidStatusTransition(
            f"Only a DRAFT can be submitted; this submission is {submission.status}.",
            details={"from": submission.status, "to": SubmissionStatus.PENDING},
        )
    return submission_update(submission=submission, acting_user=acting_user, status=SubmissionStatus.PENDING)


@transaction.atomic
def submission_delete(*, submission: Submission, acting_user: User | None) -> None:
    """Delete the submission; its history rows (snapshots) are kept."""
    submission._history_user = acting_user  # type: ignore[attr-defined]
    submission.delete()


@transaction.atomic
def submission_rollback(*, submission: Submission, snapshot: Snapshot, acting_user: User | None) -> Submission:
    """Restore a snapshot's data as a new snapshot (trigger ``rollback``); history is never deleted."""
    submission = _lock(submission)
    restored = snapshot.data
    if restored == submission.data:
        return submission
    old_status = submission.status
    if submission.status == SubmissionStatus.COMPLETED:
        submission.status = SubmissionStatus.EDITED
    submission.data = restored
    _save_snapshot(submission, trigger=f"{SnapshotTrigger.ROLLBACK}:{snapshot.version}", acting_user=acting_user)
    submission_events_emit(submission, old_status=old_status, data_changed=True, rolledBackTo=snapshot.version)
    _audit(submission, action=AuditAction.ROLLED_BACK, acting_user=acting_user, version=snapshot.version)
    return submission


# --- Notes and attachments -----------------------------------------------------------------------


def _display_name(user: User | None) -> str:
    if user is None:
        return "API"
    return user.get_full_name() or user.username


@transaction.atomic
def note_create(*, submission: Submission, content: str, acting_user: User | None) -> SubmissionNote:
    text = sanitize_text(content)
    if not text:
        raise ValidationFailed("content is required.", details={"fields": {"content": ["This field is required."]}})
    note = SubmissionNote.objects.create(submission=submission, author=acting_user, content=text[:10_000])
    _event(submission, type=EventType.NOTE_ADDED, description="Note added", actor=acting_user, noteId=note.public_id)
    return note


@transaction.atomic
def attachment_add(
    *, submission: Submission, document_uuid: uuid.UUID, acting_user: User | None
) -> SubmissionAttachment:
    """Attach an uploaded document (by its file id) of the submission's own workspace that the actor may see (a
    restricted submission's file stays hidden from whoever may not see that submission: documents.access)."""
    documents = Document.objects.filter(workspace_id=submission.workspace_id, uuid=document_uuid)
    if acting_user is not None:
        documents = documents.exclude(document_hidden_q(user=acting_user))
    document = documents.first()
    if document is None:
        raise FileNotFound("No such file in this workspace.")
    if document.status != DocumentStatus.UPLOADED:
        raise DocumentNotAttachable("The file has not been uploaded and accepted yet.")
    try:
        with transaction.atomic():
            attachment = SubmissionAttachment.objects.create(
                submission=submission, document=document, attached_by=acting_user
            )
    except IntegrityError as exc:
        raise DocumentNotAttachable("This file is already attached to the submission.") from exc
    _event(
        submission,
        type=EventType.DOCUMENT_ATTACHED,
        description=f"Document attached: {document.original_name}",
        actor=acting_user,
        attachmentId=attachment.public_id,
    )
    return attachment


@transaction.atomic
def attachment_remove(*, submission: Submission, attachment_id: str, acting_user: User | None) -> None:
    attachment = attachment_get(submission=submission, attachment_id=attachment_id)
    if attachment is None:
        raise AttachmentNotFound("No such attachment on this submission.")
    name = attachment.document.original_name
    attachment.delete()
    _event(
        submission,
        type=EventType.DOCUMENT_REMOVED,
        description=f"Document removed: {name}",
        actor=acting_user,
        attachmentId=attachment_id,
    )


# --- Sharing -------------------------------------------------------------------------------------


@transaction.atomic
def share_link_create(*, submission: Submission, acting_user: User | None, email: str = "") -> tuple[ShareLink, str]:
    """A new read-only link; returns it with its token, which is not stored (only its hash)."""
    token = share_token()
    link = ShareLink.objects.create(
        submission=submission,
        token_hash=token_hash(token),
        email=email,
        created_by=acting_user,
        expires_at=timezone.now() + timedelta(days=settings.SHARE_LINK_TTL_DAYS),
    )
    if not email:
        _event(submission, type=EventType.SHARED, description="Share link created", actor=acting_user)
    return link, token


@transaction.atomic
def share_link_email(
    *, submission: Submission, email: str, message: str, acting_user: User | None, build_url: Any
) -> ShareLink:
    """Create a link for ``email``; a worker sends it once the transaction commits.

    ``build_url(token)`` turns the token into the absolute link (the view knows the host).
    """
    link, token = share_link_create(submission=submission, acting_user=acting_user, email=email)
    url = build_url(token)
    sender = _display_name(acting_user)
    note = sanitize_text(message or "")
    body = "\n\n".join(
        part
        for part in (
            f"{sender} shared the submission {submission.public_id} ({submission.form.title}) with you.",
            note,
            f"View it (read-only) until {link.expires_at:%Y-%m-%d}: {url}",
        )
        if part
    )
    subject = f"Submission {submission.public_id} shared with you"
    transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=[email]))
    _event(
        submission,
        type=EventType.SHARED_EMAIL,
        description=f"Shared by email with {email}",
        actor=acting_user,
        email=email,
    )
    return link


@transaction.atomic
def share_links_revoke(
    *, submission: Submission, acting_user: User | None, link_ids: Collection[int] | None = None
) -> int:
    """Revoke the submission's live links (only ``link_ids`` of them, when given), with one audit event."""
    now = timezone.now()
    live = ShareLink.objects.filter(submission=submission, revoked_at__isnull=True, expires_at__gt=now)
    if link_ids is not None:
        live = live.filter(pk__in=link_ids)
    count = live.update(revoked_at=now)
    if count:
        _event(
            submission,
            type=EventType.SHARE_REVOKED,
            description=f"{count} share link(s) revoked",
            actor=acting_user,
        )
    return count
