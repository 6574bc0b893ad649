"""What an evidence pack says, as one JSON-ready dict: the PDF is rendered from it and the JSON file is it.

Everything is read with the rules of the surfaces it comes from: the data through ``submissions.formschema``'s
``display_data`` (labels, hidden fields left out, tables), the visibility of each submission through
``submissions.access`` for the requester's context, the ownership through ``workflows.selectors.ownership``, the
timeline through ``submissions.history``. Nothing here writes, and no download link is issued.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from config.actors import actor_label, written_by
from documents.access import document_hidden_q
from documents.links import size_formatted
from documents.models import Document
from evidence.constants import DOCUMENT_LIMIT, PACK_FORMAT, TIMELINE_LIMIT, PackSubject
from evidence.models import EvidencePack
from submissions.access import submission_visible_queryset
from submissions.case import documents_by_reference
from submissions.formschema import DisplaySection, DisplayTable, DisplayValue, display_data, iter_file_values
from submissions.history import snapshot_latest, submission_history
from submissions.models import Submission
from submissions.selectors import submission_files
from workflows.models import (
    Fulfillment,
    PublicAction,
    RequiredDocument,
    RevisionRequest,
    SubjectRecordDocument,
    Workflow,
)
from workflows.selectors.ownership import OwnershipNode, Party, subject_record_name, workflow_ownership
from workflows.selectors.requirements import workflow_requirements_review
from workspaces.context import WorkspaceContext


def code_words(code: str | None) -> str:
    """An enum code as words: ``BUSINESS_APPLICATION`` -> ``Business application``; a dash for none."""
    return str(code).replace("_", " ").capitalize() if code else "—"


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _percent(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def _actor(user: User | None, api_key_name: str = "") -> str:
    return written_by(user, api_key_name)  # as the case page and the history endpoint name them


# --- Documents -------------------------------------------------------------------------------------------------


def document_entry(document: Document, *, party: str = "", field: str = "") -> dict[str, Any]:
    return {
        "id": str(document.uuid),
        "name": document.original_name,
        "party": party,
        "field": field,
        "contentType": document.content_type,
        "size": document.size,
        "sizeText": size_formatted(document.size),
        "sha256": document.sha256,
        "uploadedAt": _at(document.uploaded_at),
        "verification": {"status": document.status, "text": document.get_status_display()},
        "verificationReason": document.rejection_reason,
        "scan": {"status": document.scan_status, "text": document.get_scan_status_display()},
        "scanReason": document.scan_reason,
        "scannedAt": _at(document.scanned_at),
    }


def _visible_documents(documents: Iterable[Document], context: WorkspaceContext) -> list[Document]:
    """Less the files a registered rule keeps from the requester (a restricted submission's), as every list does."""
    documents = list(documents)
    if context.user is None or not documents:
        return documents
    hidden = set(
        Document.objects.filter(pk__in=[d.pk for d in documents])
        .filter(document_hidden_q(user=context.user))
        .values_list("pk", flat=True)
    )
    return [document for document in documents if document.pk not in hidden]


# --- Submissions' data -----------------------------------------------------------------------------------------


def _value(value: DisplayValue, documents: dict[str, Document]) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": value.label, "type": value.type, "text": value.text}
    if value.files:
        entry["files"] = [
            {"reference": ref, "name": documents[ref].original_name, "sha256": documents[ref].sha256}
            if ref in documents
            else {"reference": ref, "name": ref, "sha256": ""}
            for ref in value.files
        ]
    return entry


def _sections(sections: list[DisplaySection], documents: dict[str, Document]) -> list[dict[str, Any]]:
    result = []
    for section in sections:
        entries: list[dict[str, Any]] = []
        for entry in section.entries:
            if isinstance(entry, DisplayTable):
                entries.append(
                    {
                        "label": entry.label,
                        "type": "table",
                        "columns": [column.label for column in entry.columns],
                        "rows": [[_value(cell, documents) if cell else None for cell in row] for row in entry.rows],
                    }
                )
            else:
                entries.append(_value(entry, documents))
        result.append({"title": section.title, "description": section.description, "entries": entries})
    return result


def submission_entry(submission: Submission) -> dict[str, Any]:
    """A submission's answers as the case page shows them, on its newest snapshot (named by id and version)."""
    schema = submission.form_version.schema
    references = [str(value) for _, _, value in iter_file_values(schema, submission.data)]
    documents = documents_by_reference(workspace_id=submission.workspace_id, references=references)
    snapshots = snapshot_latest(submission=submission, limit=1)
    latest = snapshots[-1] if snapshots else None
    return {
        "id": submission.public_id,
        "form": {"title": submission.form.title, "version": submission.form_version.version},
        "status": submission.status,
        "statusText": submission.get_status_display(),
        "createdAt": _at(submission.created_at),
        "snapshot": {"id": latest.id, "version": latest.version, "at": _at(latest.record.history_date)}
        if latest is not None
        else None,
        "sections": _sections(display_data(schema, submission.data), documents),
    }


# --- Parties ---------------------------------------------------------------------------------------------------


def _party(party: Party) -> dict[str, Any]:
    return {
        "id": party.record.public_id,
        "name": party.name,
        "reference": party.record.reference,
        "customerType": party.record.customer_type,
    }


def _node(node: OwnershipNode) -> dict[str, Any]:
    return {
        **_party(node.party),
        "role": node.role,
        "directPercent": _percent(node.direct),
        "throughPercent": _percent(node.through),
        "cycle": node.cycle,
        "children": [_node(child) for child in node.children],
    }


def parties_entry(workflow: Workflow) -> dict[str, Any]:
    structure = workflow_ownership(workflow=workflow)
    return {
        "uboThresholdPercent": _percent(structure.threshold),
        "tree": [_node(node) for node in structure.children],
        "parties": [
            {
                **_party(party),
                "roles": sorted(party.roles),
                "effectivePercent": _percent(party.effective),
                "ubo": party.ubo,
            }
            for party in structure.parties
        ],
        "warnings": structure.warnings,
    }


# --- Decisions -------------------------------------------------------------------------------------------------


def _snapshot(decision: Fulfillment | RevisionRequest) -> dict[str, Any] | None:
    if decision.decided_on_version is None:
        return None
    submission = decision.decided_on_submission
    return {
        "submissionId": submission.public_id if submission is not None else None,
        "snapshotId": decision.decided_on_snapshot,
        "version": decision.decided_on_version,
    }


def _fulfillment(fulfillment: Fulfillment, requirement: RequiredDocument) -> dict[str, Any]:
    document = fulfillment.subject_document.document
    api_key = fulfillment.decided_by_api_key
    decided = fulfillment.decided_at is not None
    return {
        "type": "fulfillment",
        "id": fulfillment.public_id,
        "requirement": {"id": requirement.public_id, "name": requirement.name},
        "document": {"id": str(document.uuid), "name": document.original_name, "sha256": document.sha256},
        "party": subject_record_name(fulfillment.subject_document.subject_record),
        "decision": fulfillment.decision_status,
        "reason": fulfillment.decision_reason,
        "decidedBy": _actor(fulfillment.decided_by, api_key.name if api_key else "") if decided else None,
        "decidedAt": _at(fulfillment.decided_at),
        "snapshot": _snapshot(fulfillment),
    }


def requirements_and_decisions(workflow: Workflow) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The required documents, and every decision on them (fulfillments, then revision requests), oldest first."""
    requirements, decisions = [], []
    for requirement in workflow_requirements_review(workflow=workflow):
        requirements.append(
            {
                "id": requirement.public_id,
                "name": requirement.name,
                "category": requirement.category,
                "status": requirement.status,
                "text": requirement.requirement_text,
            }
        )
        decisions += [_fulfillment(fulfillment, requirement) for fulfillment in requirement.fulfillments.all()]
    revisions = (
        RevisionRequest.objects.filter(workflow=workflow)
        .select_related("created_by", "decided_on_submission")
        .prefetch_related("items__required_document")
        .order_by("created_at", "id")
    )
    for revision in revisions:
        decisions.append(
            {
                "type": "revision_request",
                "id": revision.public_id,
                "decision": "REVISION_REQUESTED",
                "reason": revision.message,
                "requirements": [item.required_document.name for item in revision.items.all()],
                "state": revision.state,
                "decidedBy": _actor(revision.created_by),
                "decidedAt": _at(revision.created_at),
                "snapshot": _snapshot(revision),
            }
        )
    decisions.sort(key=lambda decision: decision["decidedAt"] or "9999")
    return requirements, decisions


# --- Timeline --------------------------------------------------------------------------------------------------


def _event(at: datetime | None, actor: str, event: str, detail: str = "") -> dict[str, Any] | None:
    return {"at": _at(at), "actor": actor, "event": event, "detail": detail} if at is not None else None


def submission_timeline(submission: Submission, prefix: str = "") -> list[dict[str, Any]]:
    """Snapshots and events of the submission (``submissions.history``: the case page's timeline)."""
    events = []
    for item in submission_history(submission=submission):
        detail = ""
        if item.snapshot is not None:
            detail = f"version {item.snapshot.version}: {item.snapshot.changelog['summary']}"
        events.append(_event(item.created_at, _actor(item.actor, item.api_key_name), prefix + item.description, detail))
    return [event for event in events if event is not None]


def workflow_timeline(
    workflow: Workflow, decisions: list[dict[str, Any]], submissions: list[Submission]
) -> list[dict[str, Any]]:
    """The workflow's own history (created, status changes), its requirements, client links, received documents
    and decisions, and the timelines of the submissions the pack shows; oldest first."""
    events: list[dict[str, Any] | None] = []
    previous = None
    for row in workflow.history.select_related("history_user").order_by("history_id"):
        actor = _actor(row.history_user, row.history_api_key)
        if previous is None:
            events.append(
                _event(
                    row.history_date,
                    actor,
                    "Workflow created",
                    f"{code_words(row.type)}, status {code_words(row.status)}",
                )
            )
        elif previous.status != row.status:
            events.append(
                _event(
                    row.history_date,
                    actor,
                    "Workflow status changed",
                    f"{code_words(previous.status)} → {code_words(row.status)}",
                )
            )
        previous = row
    for requirement in RequiredDocument.objects.filter(workflow=workflow):
        events.append(_event(requirement.created_at, "System", "Required document added", requirement.name))
    for action in PublicAction.objects.filter(workflow=workflow).select_related("created_by"):
        events.append(_event(action.created_at, _actor(action.created_by), "Client link created", action.public_id))
        events.append(_event(action.submitted_at, "Client", "Client submitted the form", action.public_id))
        events.append(_event(action.completed_at, "Client", "Client finished uploading", action.public_id))
    for decision in decisions:
        if decision["decidedAt"] is None:
            continue
        subject = (
            decision["document"]["name"] if decision["type"] == "fulfillment" else ", ".join(decision["requirements"])
        )
        what = (
            "Revision requested"
            if decision["type"] == "revision_request"
            else f"Document {decision['decision'].lower()}"
        )
        at = datetime.fromisoformat(decision["decidedAt"])
        events.append(
            _event(at, decision["decidedBy"], what, subject + (f": {decision['reason']}" if decision["reason"] else ""))
        )
    for submission in submissions:
        events += submission_timeline(submission, prefix=f"{submission.public_id}: ")
    return sorted((event for event in events if event is not None), key=lambda event: event["at"])


# --- The pack --------------------------------------------------------------------------------------------------


def _head(pack: EvidencePack, context: WorkspaceContext) -> dict[str, Any]:
    requester = actor_label(pack.requested_by, pack.requested_by_api_key.name if pack.requested_by_api_key else "")
    return {
        "format": PACK_FORMAT,
        "pack": {
            "id": pack.public_id,
            "generatedAt": timezone.now().isoformat(),
            "requestedAt": _at(pack.created_at),
            "requestedBy": requester,
            "requesterRole": context.role,
            "workspace": {"id": str(pack.workspace.public_id), "name": pack.workspace.name},
            "subject": {"type": pack.subject_type, "id": pack.subject_id},
        },
    }


def _workflow_entry(workflow: Workflow) -> dict[str, Any]:
    record = workflow.subject_record
    return {
        "id": workflow.public_id,
        "type": workflow.type,
        "status": workflow.status,
        "createdAt": _at(workflow.created_at),
        "client": {
            "id": record.public_id,
            "name": subject_record_name(record),
            "reference": record.reference,
            "customerType": record.customer_type,
        },
    }


def _workflow_documents(workflow: Workflow, parties: dict[str, Any]) -> list[Document]:
    """The files of the client and of every party of its ownership structure."""
    record_ids = [workflow.subject_record.public_id, *(party["id"] for party in parties["parties"])]
    links = (
        SubjectRecordDocument.objects.filter(subject_record__public_id__in=record_ids)
        .select_related("document", "subject_record")
        .order_by("created_at", "id")[:DOCUMENT_LIMIT]
    )
    documents = []
    for link in links:
        link.document.party_name = subject_record_name(link.subject_record)  # type: ignore[attr-defined]
        link.document.field_name = link.field_name  # type: ignore[attr-defined]
        documents.append(link.document)
    return documents


def workflow_pack_content(pack: EvidencePack, context: WorkspaceContext) -> dict[str, Any]:
    """A workflow's pack: the client, the submissions it sent (those the requester may see), the parties and
    ownership, every document, the requirements and every decision, and the timeline."""
    workflow = Workflow.objects.select_related("subject_record").get(pk=pack.workflow_id or 0)
    sent = PublicAction.objects.filter(workflow=workflow, submission__isnull=False).values("submission_id")
    all_submissions = Submission.objects.filter(pk__in=sent)
    visible = list(
        submission_visible_queryset(context=context)
        .filter(pk__in=sent)
        .select_related("form", "form_version")
        .order_by("created_at", "pk")
    )
    parties = parties_entry(workflow)
    requirements, decisions = requirements_and_decisions(workflow)
    documents = _visible_documents(_workflow_documents(workflow, parties), context)
    timeline = workflow_timeline(workflow, decisions, visible)
    return {
        **_head(pack, context),
        "workflow": _workflow_entry(workflow),
        "submissions": [submission_entry(submission) for submission in visible],
        "submissionsWithheld": all_submissions.count() - len(visible),
        "parties": parties,
        "documents": [
            document_entry(d, party=getattr(d, "party_name", ""), field=getattr(d, "field_name", "")) for d in documents
        ],
        "requirements": requirements,
        "decisions": decisions,
        "timeline": timeline[-TIMELINE_LIMIT:],
        "timelineTruncated": len(timeline) > TIMELINE_LIMIT,
    }


def submission_pack_content(pack: EvidencePack, context: WorkspaceContext) -> dict[str, Any]:
    """A submission's pack: its answers, its files, its timeline; and when a workflow's client sent it, that
    workflow's parties, requirements and decisions."""
    submission = Submission.objects.select_related("form", "form_version").get(pk=pack.submission_id or 0)
    action = PublicAction.objects.filter(submission=submission).select_related("workflow__subject_record").first()
    workflow = action.workflow if action is not None else None
    requirements: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    parties = None
    if workflow is not None:
        parties = parties_entry(workflow)
        requirements, decisions = requirements_and_decisions(workflow)
    documents = _visible_documents(submission_files(submission=submission), context)
    timeline = submission_timeline(submission)
    timeline.sort(key=lambda event: event["at"])
    return {
        **_head(pack, context),
        "workflow": _workflow_entry(workflow) if workflow is not None else None,
        "submissions": [submission_entry(submission)],
        "submissionsWithheld": 0,
        "parties": parties,
        "documents": [document_entry(document) for document in documents],
        "requirements": requirements,
        "decisions": decisions,
        "timeline": timeline[-TIMELINE_LIMIT:],
        "timelineTruncated": len(timeline) > TIMELINE_LIMIT,
    }


def _summary(content: dict[str, Any]) -> dict[str, int]:
    parties = (content["parties"] or {}).get("parties", [])
    return {
        "parties": len(parties),
        "ubos": sum(party["ubo"] for party in parties),
        "documents": len(content["documents"]),
        "documentsClean": sum(
            d["verification"]["status"] == "UPLOADED" and d["scan"]["status"] in ("CLEAN", "NOT_SCANNED")
            for d in content["documents"]
        ),
        "requirements": len(content["requirements"]),
        "requirementsAccepted": sum(r["status"] == "ACCEPTED" for r in content["requirements"]),
        "decisions": sum(d["decidedAt"] is not None for d in content["decisions"]),
    }


def pack_content(pack: EvidencePack, context: WorkspaceContext) -> dict[str, Any]:
    """The pack's content for the requester's context (what it may see now)."""
    if pack.subject_type == PackSubject.WORKFLOW:
        content = workflow_pack_content(pack, context)
    else:
        content = submission_pack_content(pack, context)
    content["summary"] = _summary(content)
    return content
