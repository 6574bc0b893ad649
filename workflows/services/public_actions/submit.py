"""Taking the end client's submission: validate it, then write records, relations, submission and uploads.

One transaction. Everything is validated before anything is written, so a 4xx leaves the database as it was;
the reference uniqueness is finally guarded by the database constraint, so two concurrent submissions with one
reference cannot both win (the loser gets DUPLICATE_REFERENCE, not a 500).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from documents.constants import PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS, UploadSource
from documents.keys import build_key, free_key_name
from documents.selectors import document_keys_under
from documents.services import UploadRequest, document_issue_uploads
from perf.history import bulk_create_with_history, update_with_history
from submissions.formschema import replace_file_values
from submissions.models import Submission
from submissions.services import submission_create
from workflows.constants import ROLE_ENTITY_KEY, ROLE_ENTITY_RELATIONS_KEY, ROOT_REFERENCE, PublicActionStatus
from workflows.errors import DuplicateReference, PublicActionStateError
from workflows.inputs import FieldErrors, PublicActionSubmission, RelationInput
from workflows.models import PublicAction, PublicActionFile, Relation, SubjectRecord, SubjectRecordDocument
from workflows.selectors.public_actions import public_action_get_by_token
from workflows.services.public_actions.results import FileUpload, PublicActionResult, complete_action
from workflows.services.public_actions.validation import (
    Entity,
    check_file_count,
    check_references,
    clean_entities,
    clean_into,
    files_of,
    raise_if_any,
)
from workspaces.models import Workspace


def public_action_submit(*, token: str, submission: PublicActionSubmission) -> PublicActionResult:
    """POST /v3/public/actions/{token}: validate, then write records, relations, submission and uploads."""
    with transaction.atomic():
        action = public_action_get_by_token(
            token=token, for_update=True, lock_root_record=True, with_entity_forms=bool(submission.entities)
        )
        if action.status != PublicActionStatus.OPEN:
            raise PublicActionStateError(
                "This action has already been submitted: upload the files and call /confirm.",
                details={"status": action.status},
            )
        workspace = action.workspace
        errors = FieldErrors()
        root_schema = action.form_version.schema
        root_clean = clean_into(
            schema=root_schema, data=submission.root_data, workspace=workspace, prefix="", errors=errors
        )
        root_files = files_of(root_schema, root_clean)
        entities = clean_entities(action, submission.entities, errors)
        for path, messages in submission.problems.items():
            for message in messages:
                errors.add(path, message)
        check_file_count(len(root_files), entities, errors)
        raise_if_any(errors)
        check_references(workspace, entities)
        relations = list(submission.relations)
        submission_data = _submission_data(root_clean, entities, relations)

        # Everything is valid: write, one bulk INSERT per table (and one for its history rows).
        root = action.workflow.subject_record  # locked with the action (see public_action_get_by_token)
        uploads = _write_records(action, root, root_clean, root_files, entities, relations)
        recorded = _record_submission(action, submission_data)
        now = timezone.now()
        if uploads:
            update_with_history(
                action,
                {
                    "status": PublicActionStatus.AWAITING_UPLOADS,
                    "submission": recorded,
                    "submitted_at": now,
                    "updated_at": now,
                },
            )
        else:
            complete_action(action, submission=recorded, submitted_at=now)
        return PublicActionResult(action=action, file_uploads=uploads)


def _write_records(
    action: PublicAction,
    root: SubjectRecord,
    root_clean: dict[str, Any],
    root_files: list[tuple[str, str]],
    entities: list[Entity],
    relations: list[RelationInput],
) -> list[FileUpload]:
    """Insert the entity records, relations, documents, links and action files; a constant number of queries.

    The document links' public ids are drawn before anything is written, so every record is inserted (or the
    root updated) once, with its file fields already holding the ids of its links.
    """
    workspace = action.workspace
    records = [
        SubjectRecord(
            workspace=workspace, customer_type=entity.customer_type, reference=entity.reference, data=entity.data
        )
        for entity in entities
    ]
    root_entity = Entity(ROOT_REFERENCE, "", action.form_version.schema, root_clean, root_files)
    planned: list[tuple[SubjectRecord, Entity, set[str]]] = [
        (root, root_entity, _used_keys(workspace, root) if root_files else set())
    ]
    planned += [(record, entity, set()) for record, entity in zip(records, entities, strict=True)]
    requests: list[UploadRequest] = []
    links: list[SubjectRecordDocument] = []
    references: list[str] = []
    for record, entity, used_keys in planned:
        prefix = _record_prefix(workspace, record)
        links_by_path: dict[str, list[str]] = defaultdict(list)
        for path, file_name in entity.files:
            requests.append(
                UploadRequest(
                    file_name=file_name,
                    key_prefix=prefix,
                    key_name=free_key_name(file_name, prefix=prefix, taken=used_keys),
                )
            )
            link = SubjectRecordDocument(subject_record=record, field_name=path)
            links.append(link)
            references.append("" if entity is root_entity else entity.reference)
            links_by_path[path].append(link.public_id)
        # The record's data keeps its file fields (repeat rows included) as the ids of their document links.
        replace_file_values(entity.schema, entity.data, links_by_path)

    if records:
        try:
            with transaction.atomic():
                bulk_create_with_history(records, SubjectRecord)
        except IntegrityError as exc:
            # A concurrent request committed one of these references after our check.
            taken = sorted(
                SubjectRecord.objects.filter(
                    workspace=workspace, reference__in=[entity.reference for entity in entities]
                ).values_list("reference", flat=True)
            ) or sorted(entity.reference for entity in entities)
            raise DuplicateReference(
                f"Reference '{taken[0]}' is already used by a client record of this workspace.",
                details={"references": taken},
            ) from exc
    by_reference: dict[str, SubjectRecord] = {ROOT_REFERENCE: root}
    by_reference.update({entity.reference: record for entity, record in zip(entities, records, strict=True)})
    if relations:
        bulk_create_with_history(
            [
                Relation(
                    workspace=workspace,
                    from_record=by_reference[relation.from_ref],
                    to_record=by_reference[relation.to_ref],
                    role=relation.role,
                    ownership_percentage=relation.ownership,
                )
                for relation in relations
            ],
            Relation,
        )
    update_with_history(root, {"data": {**root.data, **root_clean}, "updated_at": timezone.now()})

    issued = document_issue_uploads(
        workspace=workspace,
        requests=requests,
        source=UploadSource.PUBLIC_ACTION,
        max_size=settings.UPLOAD_DEFAULT_MAX_BYTES,
        expires_in=PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS,
        acting_user=None,
    )
    if not issued:
        return []
    for link, (document, _) in zip(links, issued, strict=True):
        link.document = document
    links = bulk_create_with_history(links, SubjectRecordDocument)
    PublicActionFile.objects.bulk_create(
        PublicActionFile(action=action, record_document=link, entity_reference=reference, position=position)
        for position, (link, reference) in enumerate(zip(links, references, strict=True))
    )
    return [
        FileUpload(reference or None, document.original_name, link.field_name, post.url, post.fields)
        for link, reference, (document, post) in zip(links, references, issued, strict=True)
    ]


def _used_keys(workspace: Workspace, root: SubjectRecord) -> set[str]:
    """Keys already taken under the root record's prefix: its documents from earlier actions.

    The prefix holds the record's public id and only this module builds such keys, so the key alone finds them;
    no join through the record's document links.
    """
    return document_keys_under(prefix=_record_prefix(workspace, root) + "/")


def _submission_data(root: dict[str, Any], entities: list[Entity], relations: list[RelationInput]) -> dict[str, Any]:
    """The body as the client sent it, after validation and sanitising: file fields still hold file names."""
    data = copy.deepcopy(root)
    if entities:
        data[ROLE_ENTITY_KEY] = [
            {"reference": e.reference, "customer_type": e.customer_type, **copy.deepcopy(e.data)} for e in entities
        ]
    if relations:
        data[ROLE_ENTITY_RELATIONS_KEY] = [
            {"from": r.from_ref, "to": r.to_ref, "role": r.role}
            | ({} if r.ownership is None else {"ownership_percentage": float(r.ownership)})
            for r in relations
        ]
    return data


def _record_prefix(workspace: Workspace, record: SubjectRecord) -> str:
    return build_key(str(workspace.public_id), "endClient", record.public_id)


def _record_submission(action: PublicAction, body: dict[str, Any]) -> Submission:
    """The submission of the submissions app that keeps the body as the client sent it (source public_action)."""
    return submission_create(
        workspace=action.workspace,
        form_version=action.form_version,
        data=body,
        acting_user=None,
        metadata={
            "source": UploadSource.PUBLIC_ACTION.value,
            "public_action_id": action.public_id,
            "workflow_id": action.workflow.public_id,
        },
        file_values="file_names",
        prevalidated=True,
    )
