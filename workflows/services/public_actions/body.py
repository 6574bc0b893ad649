"""Parsing and validating the end client's submission: root data, role entities, their relations.

Every problem is collected into one ``Errors`` so the client gets all of them in one 400.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from config.errors import ValidationFailed, first_error_message
from submissions.formschema import clean_form_data, iter_file_values
from workflows.constants import ROLE_ENTITY_KEY, ROLE_ENTITY_RELATIONS_KEY, ROOT_REFERENCE, CustomerType
from workflows.errors import DuplicateReference, PublicActionValidationError
from workflows.models import PublicAction, SubjectRecord
from workspaces.models import Workspace

MAX_ENTITIES = 100
MAX_RELATIONS = 500
MAX_REFERENCE_LENGTH = 200
# Roles that mean ownership even without a percentage: these relations may not form a circle.
OWNERSHIP_ROLES = frozenset({"owner", "ubo", "shareholder"})
ROLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
ENTITY_IDENTITY_KEYS = ("reference", "customer_type")


@dataclass
class Entity:
    reference: str
    customer_type: str
    schema: dict[str, Any]
    data: dict[str, Any]
    files: list[tuple[str, str]]


@dataclass
class RelationInput:
    from_ref: str
    to_ref: str
    role: str
    ownership: Decimal | None


class Errors:
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


def clean_into(
    *, schema: dict[str, Any], data: dict[str, Any], workspace: Workspace, prefix: str, errors: Errors
) -> dict[str, Any]:
    try:
        return clean_form_data(
            schema=schema, data=data, workspace=workspace, require_required=True, file_values="file_names"
        )
    except ValidationFailed as exc:
        errors.merge(prefix, exc)
        return {}


def files_of(schema: dict[str, Any], cleaned: dict[str, Any]) -> list[tuple[str, str]]:
    """``(path, file name)`` of every file of ``cleaned``, repeat rows included (path ``s_items[0].key`` there)."""
    return [(path, str(name)) for path, _, name in iter_file_values(schema, cleaned)]


def check_file_count(root_files: int, entities: list[Entity], errors: Errors) -> None:
    """At most UPLOAD_MAX_FILES_PER_REQUEST files in one submission, the root's and every entity's together."""
    limit, total = settings.UPLOAD_MAX_FILES_PER_REQUEST, root_files
    for index, entity in enumerate(entities):
        total += len(entity.files)
        if total > limit:
            errors.add(f"{ROLE_ENTITY_KEY}[{index}]", f"At most {limit} files per request.")
            return


def _parse_ownership(raw: Any, path: str, errors: Errors) -> Decimal | None:
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


def parse_entities(action: PublicAction, raw: Any, errors: Errors) -> list[Entity]:
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
    entities: list[Entity] = []
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
        cleaned = clean_into(schema=version.schema, data=data, workspace=action.workspace, prefix=path, errors=errors)
        if valid and isinstance(reference, str):
            entities.append(
                Entity(
                    reference=reference,
                    customer_type=customer_type,
                    schema=version.schema,
                    data=cleaned,
                    files=files_of(version.schema, cleaned),
                )
            )
    return entities


def parse_relations(raw: Any, references: set[str], errors: Errors) -> list[RelationInput]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(ROLE_ENTITY_RELATIONS_KEY, "Must be a list of relation objects.")
        return []
    if len(raw) > MAX_RELATIONS:
        errors.add(ROLE_ENTITY_RELATIONS_KEY, f"At most {MAX_RELATIONS} relations.")
        return []
    known = references | {ROOT_REFERENCE}
    relations: list[RelationInput] = []
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
        relations.append(RelationInput(from_ref=ends["from"], to_ref=ends["to"], role=role, ownership=ownership))
    cycle = _ownership_cycle(relations)
    if cycle:
        errors.add(ROLE_ENTITY_RELATIONS_KEY, f"Ownership cannot go round in a circle: {' -> '.join(cycle)}.")
    return relations


def _ownership_cycle(relations: list[RelationInput]) -> list[str] | None:
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


def check_references(workspace: Workspace, entities: list[Entity]) -> None:
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
