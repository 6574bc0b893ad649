"""Public actions: create a link, take the end client's submission, issue its uploads, confirm them.

One transaction per call. Submission validates everything before it writes anything, so a 4xx leaves the
database as it was; the reference uniqueness is finally guarded by the database constraint, so two
concurrent submissions with one reference cannot both win (the loser gets DUPLICATE_REFERENCE, not a 500).
"""

from __future__ import annotations

import copy
import logging
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import ValidationFailed, first_error_message
from config.ids import token_hash
from documents import s3
from documents.constants import PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS, DocumentStatus, UploadSource
from documents.filetypes import MAGIC_PREFIX_BYTES
from documents.keys import build_key, free_key_name
from documents.models import Document
from documents.selectors import document_keys_under
from documents.services import (
    UploadRequest,
    document_issue_uploads,
    document_reissue_uploads,
    document_verify_uploads,
)
from perf.history import bulk_create_with_history, update_with_history
from submissions.constants import FormStatus
from submissions.formschema import clean_form_data, iter_file_values, replace_file_values
from submissions.models import Submission
from submissions.services import submission_create
from workflows.constants import (
    CLOSED_WORKFLOW_STATUSES,
    ROLE_ENTITY_KEY,
    ROLE_ENTITY_RELATIONS_KEY,
    ROOT_REFERENCE,
    CustomerType,
    PublicActionStatus,
    WorkflowStatus,
)
from workflows.errors import (
    DuplicateReference,
    PublicActionStateError,
    PublicActionValidationError,
)
from workflows.models import PublicAction, PublicActionFile, Relation, SubjectRecord, SubjectRecordDocument, Workflow
from workflows.selectors.public_actions import public_action_files, public_action_get_by_token
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

MAX_ENTITIES = 100
MAX_RELATIONS = 500
MAX_REFERENCE_LENGTH = 200
MAX_ROLE_LENGTH = 60
# Roles that mean ownership even without a percentage: these relations may not form a circle.
OWNERSHIP_ROLES = frozenset({"owner", "ubo", "shareholder"})
ROLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_TTL_DAYS = 90
MAX_PARALLEL_S3_CALLS = 8
T = TypeVar("T")
ENTITY_IDENTITY_KEYS = ("reference", "customer_type")


@dataclass(frozen=True)
class FileUpload:
    """One file the client must upload: the record it belongs to, its field, and the signed POST."""

    entity_reference: str | None
    file_name: str
    field_name: str
    url: str
    fields: dict[str, str]
    reason: str | None = None  # on confirm: why the file is not accepted yet (an UploadProblem value)


@dataclass(frozen=True)
class PublicActionResult:
    action: PublicAction
    file_uploads: list[FileUpload] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.action.status == PublicActionStatus.COMPLETED


# --- Creating a link -----------------------------------------------------------------------------


def public_action_create(
    *,
    workflow: Workflow,
    form_version: Any,
    acting_user: User | None,
    individual_form_version: Any = None,
    company_form_version: Any = None,
    expires_in_days: int | None = None,
) -> tuple[PublicAction, str]:
    """Create a public action and return it with its raw token (shown once; only its hash is stored).

    Every form version must be one of the workflow's workspace. The workflow waits for the client from now on.
    """
    workspace = workflow.workspace
    days = settings.PUBLIC_ACTION_TTL_DAYS if expires_in_days is None else expires_in_days
    public_action_check(
        workflow=workflow,
        form_versions=[form_version, individual_form_version, company_form_version],
        expires_in_days=days,
    )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        action = PublicAction.objects.create(
            workspace=workspace,
            workflow=workflow,
            form_version=form_version,
            individual_form_version=individual_form_version,
            company_form_version=company_form_version,
            token_hash=token_hash(token),
            token_hint=token[:6],
            expires_at=timezone.now() + timedelta(days=days),
            created_by=acting_user,
        )
        if workflow.status == WorkflowStatus.OPEN:
            workflow.status = WorkflowStatus.WAITING_FOR_CLIENT
            workflow.save(update_fields=["status", "updated_at"])
    return action, token


def public_action_check(*, workflow: Workflow, form_versions: Iterable[Any], expires_in_days: int) -> None:
    """The rules of a new link (also run by the admin's form before it saves): one workspace, an open workflow."""
    for version in form_versions:
        if version is None:
            continue
        if _form_version_workspace_id(version) != workflow.workspace_id:
            raise ValidationFailed("The form version belongs to another workspace.")
        if version.form.status == FormStatus.ARCHIVED:
            raise ValidationFailed(f"The form '{version.form.title}' is archived and takes no new submissions.")
    if workflow.status in CLOSED_WORKFLOW_STATUSES:
        raise PublicActionStateError(f"The workflow is {workflow.status}; it takes no more client input.")
    if not 1 <= expires_in_days <= MAX_TTL_DAYS:
        raise ValidationFailed(f"expires_in_days must be between 1 and {MAX_TTL_DAYS}.")


def public_action_expire(*, action: PublicAction) -> PublicAction:
    """End a link now (the admin's "expire" action); a completed action stays as it is."""
    if action.status != PublicActionStatus.COMPLETED and not action.expired:
        action.expires_at = timezone.now()
        action.save(update_fields=["expires_at", "updated_at"])
    return action


def _form_version_workspace_id(form_version: Any) -> int | None:
    workspace_id = getattr(form_version, "workspace_id", None)
    if workspace_id is None and getattr(form_version, "form", None) is not None:
        workspace_id = form_version.form.workspace_id
    return workspace_id


# --- Parsing and validating a submission ---------------------------------------------------------


@dataclass
class _Entity:
    reference: str
    customer_type: str
    schema: dict[str, Any]
    data: dict[str, Any]
    files: list[tuple[str, str]]


@dataclass
class _Relation:
    from_ref: str
    to_ref: str
    role: str
    ownership: Decimal | None


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, []).append(message)

    def merge(self, prefix: str, exc: ValidationFailed) -> None:
        fields = exc.details.get("fields") or {"": [exc.message]}
        for path, messages in fields.items():
            full = f"{prefix}.{path}" if prefix and path else (prefix or path)
            for message in messages if isinstance(messages, list) else [messages]:
                self.add(full, str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            raise PublicActionValidationError(
                f"Invalid submission. {first_error_message(self.fields)}", details={"fields": self.fields}
            )


def _clean(
    *, schema: dict[str, Any], data: dict[str, Any], workspace: Workspace, prefix: str, errors: _Errors
) -> dict[str, Any]:
    try:
        return clean_form_data(
            schema=schema, data=data, workspace=workspace, require_required=True, file_values="file_names"
        )
    except ValidationFailed as exc:
        errors.merge(prefix, exc)
        return {}


def _files_of(schema: dict[str, Any], cleaned: dict[str, Any]) -> list[tuple[str, str]]:
    """``(path, file name)`` of every file of ``cleaned``, repeat rows included (path ``s_items[0].key`` there)."""
    return [(path, str(name)) for path, _, name in iter_file_values(schema, cleaned)]


def _check_file_count(root_files: int, entities: list[_Entity], errors: _Errors) -> None:
    """At most UPLOAD_MAX_FILES_PER_REQUEST files in one submission, the root's and every entity's together."""
    limit, total = settings.UPLOAD_MAX_FILES_PER_REQUEST, root_files
    for index, entity in enumerate(entities):
        total += len(entity.files)
        if total > limit:
            errors.add(f"{ROLE_ENTITY_KEY}[{index}]", f"At most {limit} files per request.")
            return


def _parse_ownership(raw: Any, path: str, errors: _Errors) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):  # "1e2" is a string, not a share
        errors.add(path, "Must be a number between 0 and 100.")
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.add(path, "Must be a number between 0 and 100.")
        return None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors.add(path, "Must be a number between 0 and 100.")
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.add(path, "At most two decimal places.")
        return None
    return value


def _parse_entities(action: PublicAction, raw: Any, errors: _Errors) -> list[_Entity]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(ROLE_ENTITY_KEY, "Must be a list of entity objects.")
        return []
    if len(raw) > MAX_ENTITIES:
        errors.add(ROLE_ENTITY_KEY, f"At most {MAX_ENTITIES} entities.")
        return []
    versions = {
        CustomerType.INDIVIDUAL.value: action.individual_form_version,
        CustomerType.COMPANY.value: action.company_form_version,
    }
    entities: list[_Entity] = []
    for index, item in enumerate(raw):
        path = f"{ROLE_ENTITY_KEY}[{index}]"
        if not isinstance(item, dict):
            errors.add(path, "Must be an object.")
            continue
        reference, customer_type = item.get("reference"), item.get("customer_type")
        valid = True
        if not isinstance(reference, str) or not reference.strip():
            errors.add(f"{path}.reference", "A non-empty string is required.")
            valid = False
        elif len(reference) > MAX_REFERENCE_LENGTH or reference != reference.strip():
            errors.add(f"{path}.reference", f"At most {MAX_REFERENCE_LENGTH} characters, no surrounding spaces.")
            valid = False
        elif reference == ROOT_REFERENCE:
            errors.add(f"{path}.reference", f"'{ROOT_REFERENCE}' is reserved for the root record.")
            valid = False
        if customer_type not in CustomerType.values:
            errors.add(f"{path}.customer_type", f"Must be one of {list(CustomerType.values)}.")
            continue
        version = versions[customer_type]
        if version is None:
            errors.add(f"{path}.customer_type", f"This form does not collect {customer_type} entities.")
            continue
        data = {key: value for key, value in item.items() if key not in ENTITY_IDENTITY_KEYS}
        cleaned = _clean(schema=version.schema, data=data, workspace=action.workspace, prefix=path, errors=errors)
        if valid and isinstance(reference, str):
            entities.append(
                _Entity(
                    reference=reference,
                    customer_type=customer_type,
                    schema=version.schema,
                    data=cleaned,
                    files=_files_of(version.schema, cleaned),
                )
            )
    return entities


def _parse_relations(raw: Any, references: set[str], errors: _Errors) -> list[_Relation]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(ROLE_ENTITY_RELATIONS_KEY, "Must be a list of relation objects.")
        return []
    if len(raw) > MAX_RELATIONS:
        errors.add(ROLE_ENTITY_RELATIONS_KEY, f"At most {MAX_RELATIONS} relations.")
        return []
    known = references | {ROOT_REFERENCE}
    relations: list[_Relation] = []
    seen: set[tuple[str, str, str]] = set()
    ownership_per_target: dict[str, Decimal] = defaultdict(Decimal)
    for index, item in enumerate(raw):
        path = f"{ROLE_ENTITY_RELATIONS_KEY}[{index}]"
        if not isinstance(item, dict):
            errors.add(path, "Must be an object.")
            continue
        unknown = set(item) - {"from", "to", "role", "ownership_percentage"}
        for key in sorted(unknown):
            errors.add(f"{path}.{key}", "Unknown attribute.")
        ok = not unknown
        ends: dict[str, str] = {}
        for end in ("from", "to"):
            value = item.get(end)
            if not isinstance(value, str) or value not in known:
                errors.add(
                    f"{path}.{end}", f"Must be '{ROOT_REFERENCE}' or the reference of an entity of this request."
                )
                ok = False
            else:
                ends[end] = value
        role = item.get("role")
        if not isinstance(role, str) or not ROLE_PATTERN.match(role):
            errors.add(
                f"{path}.role", "A role is lower-case letters, digits and underscores (owner, ubo, director...)."
            )
            ok = False
        ownership = _parse_ownership(item.get("ownership_percentage"), f"{path}.ownership_percentage", errors)
        if item.get("ownership_percentage") is not None and ownership is None:
            ok = False
        if not ok:
            continue
        assert isinstance(role, str)
        edge = (ends["from"], ends["to"], role)
        if ends["from"] == ends["to"]:
            errors.add(path, "A record cannot be related to itself.")
            continue
        if edge in seen:
            errors.add(path, f"Duplicate relation: {ends['from']} is already {role} of {ends['to']}.")
            continue
        seen.add(edge)
        if ownership is not None:
            ownership_per_target[ends["to"]] += ownership
            if ownership_per_target[ends["to"]] > 100:
                errors.add(path, f"Ownership of '{ends['to']}' adds up to more than 100%.")
                continue
        relations.append(_Relation(from_ref=ends["from"], to_ref=ends["to"], role=role, ownership=ownership))
    cycle = _ownership_cycle(relations)
    if cycle:
        errors.add(ROLE_ENTITY_RELATIONS_KEY, f"Ownership cannot go round in a circle: {' -> '.join(cycle)}.")
    return relations


def _ownership_cycle(relations: list[_Relation]) -> list[str] | None:
    """A circle of ownership (A owns B owns C owns A), as the references along it; None when there is none.

    An ownership relation is one with a percentage or an ownership role. Depth-first, without recursion.
    """
    owns: dict[str, list[str]] = defaultdict(list)
    for relation in relations:
        if relation.ownership is not None or relation.role in OWNERSHIP_ROLES:
            owns[relation.from_ref].append(relation.to_ref)
    done: set[str] = set()
    for start in list(owns):
        if start in done:
            continue
        path, on_path = [start], {start}
        stack = [iter(owns[start])]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                stack.pop()
                continue
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                path.append(target)
                on_path.add(target)
                stack.append(iter(owns[target]))
    return None


def _check_references(workspace: Workspace, entities: list[_Entity]) -> None:
    counts = Counter(entity.reference for entity in entities)
    repeated = sorted(reference for reference, count in counts.items() if count > 1)
    if repeated:
        raise DuplicateReference(
            f"Reference '{repeated[0]}' is used more than once in this request.",
            details={"references": repeated},
        )
    if not counts:
        return
    taken = sorted(
        SubjectRecord.objects.filter(workspace=workspace, reference__in=list(counts)).values_list(
            "reference", flat=True
        )
    )
    if taken:
        raise DuplicateReference(
            f"Reference '{taken[0]}' is already used by a client record of this workspace.",
            details={"references": taken},
        )


# --- Submitting ----------------------------------------------------------------------------------


def public_action_submit(*, token: str, body: Any) -> PublicActionResult:
    """POST /v3/public/actions/{token}: validate, then write records, relations, submission and uploads."""
    with transaction.atomic():
        action = public_action_get_by_token(
            token=token,
            for_update=True,
            lock_root_record=True,
            with_entity_forms=isinstance(body, dict) and bool(body.get(ROLE_ENTITY_KEY)),
        )
        if action.status != PublicActionStatus.OPEN:
            raise PublicActionStateError(
                "This action has already been submitted: upload the files and call /confirm.",
                details={"status": action.status},
            )
        if not isinstance(body, dict):
            raise PublicActionValidationError("The body must be a JSON object.", details={"fields": {}})
        workspace = action.workspace
        errors = _Errors()
        root_data = {
            key: value for key, value in body.items() if key not in (ROLE_ENTITY_KEY, ROLE_ENTITY_RELATIONS_KEY)
        }
        root_schema = action.form_version.schema
        root_clean = _clean(schema=root_schema, data=root_data, workspace=workspace, prefix="", errors=errors)
        root_files = _files_of(root_schema, root_clean)
        entities = _parse_entities(action, body.get(ROLE_ENTITY_KEY), errors)
        relations = _parse_relations(
            body.get(ROLE_ENTITY_RELATIONS_KEY), {entity.reference for entity in entities}, errors
        )
        _check_file_count(len(root_files), entities, errors)
        errors.raise_if_any()
        _check_references(workspace, entities)
        submission_data = _submission_data(root_clean, entities, relations)

        # Everything is valid: write, one bulk INSERT per table (and one for its history rows).
        root = action.workflow.subject_record  # locked with the action (see public_action_get_by_token)
        uploads = _write_records(action, root, root_clean, root_files, entities, relations)
        submission = _record_submission(action, submission_data)
        now = timezone.now()
        if uploads:
            update_with_history(
                action,
                {
                    "status": PublicActionStatus.AWAITING_UPLOADS,
                    "submission": submission,
                    "submitted_at": now,
                    "updated_at": now,
                },
            )
        else:
            _complete(action, submission=submission, submitted_at=now)
        return PublicActionResult(action=action, file_uploads=uploads)


def _write_records(
    action: PublicAction,
    root: SubjectRecord,
    root_clean: dict[str, Any],
    root_files: list[tuple[str, str]],
    entities: list[_Entity],
    relations: list[_Relation],
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
    root_entity = _Entity(ROOT_REFERENCE, "", action.form_version.schema, root_clean, root_files)
    planned: list[tuple[SubjectRecord, _Entity, set[str]]] = [
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


def _submission_data(root: dict[str, Any], entities: list[_Entity], relations: list[_Relation]) -> dict[str, Any]:
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


def _complete(action: PublicAction, **values: Any) -> None:
    """The action is done (with ``values``, e.g. the submission); its workflow goes to review if it waited."""
    now = timezone.now()
    update_with_history(
        action, {"status": PublicActionStatus.COMPLETED, "completed_at": now, "updated_at": now, **values}
    )
    update_with_history(
        action.workflow,
        {"status": WorkflowStatus.IN_REVIEW, "updated_at": now},
        where=Q(status__in=(WorkflowStatus.OPEN, WorkflowStatus.WAITING_FOR_CLIENT)),
    )


# --- Confirming ----------------------------------------------------------------------------------


def _prefix_of(item: PublicActionFile) -> str:
    return item.record_document.document.key.rsplit("/", 1)[0]


def _in_parallel(fn: Callable[[str], T], keys: list[str]) -> dict[str, T]:
    """``fn`` of every key, run concurrently (S3 latency adds up otherwise; the boto3 client is thread-safe).

    Never more threads than the process has S3 slots: a request does not queue behind its own calls.
    """
    if len(keys) <= 1:
        return {key: fn(key) for key in keys}
    workers = min(MAX_PARALLEL_S3_CALLS, settings.AWS_S3_MAX_CONCURRENCY, len(keys))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(keys, pool.map(fn, keys), strict=True))


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
    listings = _in_parallel(_listing, prefixes)
    present = [
        item.record_document.document.key
        for item in pending
        if item.record_document.document.status == DocumentStatus.AWAITING_UPLOAD
        and item.record_document.document.key in listings[_prefix_of(item)]
    ]
    probes = _in_parallel(_probe, present)
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
            _complete(action)
        return PublicActionResult(action=action, file_uploads=uploads)


def _confirmable(action: PublicAction) -> PublicAction:
    if action.status == PublicActionStatus.OPEN:
        raise PublicActionStateError(
            "Nothing has been submitted on this link yet.", http_status=400, details={"status": action.status}
        )
    return action
