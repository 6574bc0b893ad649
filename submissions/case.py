"""Reads of the reviewer's case page: one submission with its answers, files, notes, links, history and timeline,
and the side-by-side comparison of two snapshots. The caller has already been given the submission by
``submissions.access`` (through the admin's scoped queryset); nothing here widens what it may see.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from config.actors import actor_label, written_by
from config.inputs import strip_bidi_controls
from documents.access import document_hidden_q
from documents.constants import DocumentStatus
from documents.links import document_download_url, document_thumbnail_url, size_formatted
from documents.models import Document
from submissions.constants import STATUS_TRANSITIONS, SubmissionStatus
from submissions.formschema import (
    DiffLine,
    DisplaySection,
    DisplayValue,
    display_attach_files,
    display_data,
    display_diff,
    iter_file_values,
)
from submissions.history import HistoryEvent, Snapshot, snapshot_get, submission_history
from submissions.models import FormVersion, ShareLink, Submission, SubmissionAttachment, SubmissionNote
from submissions.selectors import attachment_list, note_list
from workspaces.models import Membership

ATTACHABLE_LIMIT = 50


def actor_name(user: User | None) -> str:
    """Who made a row that keeps only its user (a note, an attachment, a share link): the user's name, else "API
    key" (a key acting on its own, whose name such rows do not keep). Snapshots and events: ``written_by``."""
    return actor_label(user, "") or "API key"


@dataclass(frozen=True)
class FileView:
    """A file as the case page shows it: name, size, state, a thumbnail and a short-lived download link."""

    reference: str
    name: str
    size: str = ""
    state: str = ""
    thumbnail_url: str = ""
    download_url: str = ""


def file_view(document: Document | None, reference: str, request: HttpRequest | None) -> FileView:
    """A document's view; a reference no accepted document answers to (a name a public action kept) as itself."""
    if document is None:
        return FileView(reference=reference, name=reference, state="Not an uploaded file of this workspace")
    servable = document.servable
    state = (
        "" if servable else document.get_scan_status_display() if document.final_key else document.get_status_display()
    )
    return FileView(
        reference=reference,
        name=strip_bidi_controls(document.original_name),
        size=size_formatted(document.size),
        state=state,
        thumbnail_url=document_thumbnail_url(document, request) if servable else "",
        download_url=(document_download_url(document) or "") if servable else "",
    )


def documents_by_reference(*, workspace_id: int, references: Iterable[str]) -> dict[str, Document]:
    """The documents of the workspace that the file values ``references`` (uuids) name, in one query."""
    uuids = set()
    for reference in references:
        try:
            uuids.add(uuid.UUID(str(reference)))
        except ValueError:  # a file name (public actions keep names)
            continue
    if not uuids:
        return {}
    found = Document.objects.filter(workspace_id=workspace_id, uuid__in=uuids)
    return {str(document.uuid): document for document in found}


def _display(
    schema: dict[str, Any],
    data: dict[str, Any],
    documents: dict[str, Document],
    request: HttpRequest | None,
    language: str | None = None,
) -> list[DisplaySection]:
    sections = display_data(schema, data, language=language)
    return display_attach_files(sections, lambda ref: file_view(documents.get(ref), ref, request))


def submission_answers(
    *, submission: Submission, request: HttpRequest | None, language: str | None = None
) -> list[DisplaySection]:
    """The answers as a reviewer reads them, each file by its name with a thumbnail and a download link (the
    case page and the share page); labels in ``language`` where the form has them."""
    schema = submission.form_version.schema
    references = [str(value) for _, _, value in iter_file_values(schema, submission.data)]
    documents = documents_by_reference(workspace_id=submission.workspace_id, references=references)
    return _display(schema, submission.data, documents, request, language)


@dataclass(frozen=True)
class SnapshotRow:
    snapshot: Snapshot
    actor: str
    changed_labels: list[str]


@dataclass(frozen=True)
class TimelineEntry:
    event: HistoryEvent
    actor: str


@dataclass(frozen=True)
class AttachmentView:
    attachment: SubmissionAttachment
    file: FileView


@dataclass(frozen=True)
class Case:
    submission: Submission
    sections: list[DisplaySection]
    attachments: list[AttachmentView]
    notes: list[SubmissionNote]
    share_links: list[ShareLink]
    snapshots: list[SnapshotRow]
    timeline: list[TimelineEntry]
    members: list[Membership]
    attachable: list[Document]
    next_statuses: list[tuple[str, str]]


def _labels(schema: dict[str, Any]) -> dict[str, str]:
    """Field keys (and repeatable sections' item keys) to their labels."""
    labels: dict[str, str] = {}
    for item in schema.get("fields") or []:
        labels[item.get("key", "")] = item.get("label", "")
    for section in schema.get("sections") or []:
        labels[f"{section.get('id', '')}_items"] = section.get("title", "")
        for item in section.get("fields") or []:
            labels[item.get("key", "")] = item.get("label", "")
    return labels


def next_statuses(status: str) -> list[tuple[str, str]]:
    """The statuses a submission of ``status`` may move to, as (value, label), in the status list's order."""
    allowed = STATUS_TRANSITIONS[status]
    return [(value, label) for value, label in SubmissionStatus.choices if value in allowed]


def case_get(*, submission: Submission, request: HttpRequest | None, reviewer: bool) -> Case:
    """Everything the case page shows; ``reviewer``: also what its actions offer (members, attachable files)."""
    schema = submission.form_version.schema
    attachments = list(attachment_list(submission=submission))
    history = submission_history(submission=submission)
    labels = _labels(schema)
    snapshots = [
        SnapshotRow(
            snapshot=event.snapshot,
            actor=written_by(event.actor, event.api_key_name),
            changed_labels=[labels.get(key) or key for key in event.snapshot.changed_fields],
        )
        for event in history
        if event.snapshot is not None
    ]
    attachable: list[Document] = []
    members: list[Membership] = []
    if reviewer:
        members = list(
            Membership.objects.filter(workspace_id=submission.workspace_id)
            .select_related("user")
            .order_by("user__first_name", "user__username")
        )
        attachable = list(
            Document.objects.filter(workspace_id=submission.workspace_id, status=DocumentStatus.UPLOADED)
            .exclude(pk__in=[attachment.document_id for attachment in attachments])
            .exclude(document_hidden_q(user=request.user if request is not None else AnonymousUser()))
            .order_by("-created_at", "-pk")[:ATTACHABLE_LIMIT]
        )
    return Case(
        submission=submission,
        sections=submission_answers(submission=submission, request=request, language=get_language()),
        attachments=[
            AttachmentView(attachment=a, file=file_view(a.document, str(a.document.uuid), request)) for a in attachments
        ],
        notes=list(note_list(submission=submission)),
        share_links=list(
            ShareLink.objects.filter(submission=submission).select_related("created_by").order_by("-created_at")[:20]
        ),
        snapshots=snapshots,
        timeline=[TimelineEntry(event=event, actor=written_by(event.actor, event.api_key_name)) for event in history],
        members=members,
        attachable=attachable,
        next_statuses=next_statuses(submission.status),
    )


def share_link_state(link: ShareLink) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= timezone.now() else "live"


@dataclass(frozen=True)
class Comparison:
    before: SnapshotRow
    after: SnapshotRow
    lines: list[DiffLine]

    @property
    def changes(self) -> int:
        return sum(line.change != "unchanged" for line in self.lines)


def _file_names(documents: dict[str, Document]) -> Any:
    def text(value: DisplayValue) -> str:
        if not value.files:
            return value.text
        return ", ".join(documents[ref].original_name if ref in documents else ref for ref in value.files)

    return text


def snapshot_compare(*, submission: Submission, before_id: str, after_id: str) -> Comparison:
    """Two snapshots side by side, each read with the labels of its own form version (``SnapshotNotFound``)."""
    snapshots = [snapshot_get(submission=submission, snapshot_id=sid) for sid in (before_id, after_id)]
    if snapshots[0].version > snapshots[1].version:
        snapshots.reverse()
    versions = FormVersion.objects.in_bulk({snapshot.record.form_version_id for snapshot in snapshots})
    references = [
        str(value)
        for snapshot in snapshots
        for _, _, value in iter_file_values(versions[snapshot.record.form_version_id].schema, snapshot.data)
    ]
    documents = documents_by_reference(workspace_id=submission.workspace_id, references=references)
    trees = [display_data(versions[s.record.form_version_id].schema, s.data) for s in snapshots]
    rows = [
        SnapshotRow(snapshot=s, actor=written_by(s.record.history_user, s.record.history_api_key), changed_labels=[])
        for s in snapshots
    ]
    return Comparison(before=rows[0], after=rows[1], lines=display_diff(trees[0], trees[1], _file_names(documents)))
