"""Validating the end client's submission against the action's forms: root data, entities, file count, references.

Every problem is collected into one ``FieldErrors`` (with what ``workflows.inputs`` found in the body's shape), so
the client gets all of them in one 400.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from config.errors import ValidationFailed, first_error_message
from config.messages import Message
from submissions.formschema import clean_form_data, iter_file_values
from workflows.constants import ROLE_ENTITY_KEY, CustomerType
from workflows.errors import DuplicateReference, PublicActionValidationError
from workflows.inputs import EntityInput, FieldErrors
from workflows.models import PublicAction, SubjectRecord
from workspaces.models import Workspace


@dataclass
class Entity:
    reference: str
    customer_type: str
    schema: dict[str, Any]
    data: dict[str, Any]
    files: list[tuple[str, str]]


def raise_if_any(errors: FieldErrors) -> None:
    if errors.fields:
        raise PublicActionValidationError(
            f"Invalid submission. {first_error_message(errors.fields)}", details={"fields": errors.fields}
        )


def clean_into(
    *, schema: dict[str, Any], data: dict[str, Any], workspace: Workspace, prefix: str, errors: FieldErrors
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


def check_file_count(root_files: int, entities: list[Entity], errors: FieldErrors) -> None:
    """At most UPLOAD_MAX_FILES_PER_REQUEST files in one submission, the root's and every entity's together."""
    limit, total = settings.UPLOAD_MAX_FILES_PER_REQUEST, root_files
    for index, entity in enumerate(entities):
        total += len(entity.files)
        if total > limit:
            errors.add(
                f"{ROLE_ENTITY_KEY}[{index}]",
                Message(gettext_noop("At most %(count)s files per request."), count=limit),
            )
            return


def clean_entities(action: PublicAction, entities: tuple[EntityInput, ...], errors: FieldErrors) -> list[Entity]:
    """Each entity's data cleaned by its type's form of the action (one the action collects)."""
    versions = {
        CustomerType.INDIVIDUAL: action.individual_form_version,
        CustomerType.COMPANY: action.company_form_version,
    }
    cleaned_entities: list[Entity] = []
    for entity in entities:
        version = versions[entity.customer_type]
        if version is None:
            errors.add(
                f"{entity.path}.customer_type",
                Message(gettext_noop("This form does not collect %(type)s entities."), type=entity.customer_type.value),
            )
            continue
        cleaned = clean_into(
            schema=version.schema, data=entity.data, workspace=action.workspace, prefix=entity.path, errors=errors
        )
        cleaned_entities.append(
            Entity(
                reference=entity.reference,
                customer_type=entity.customer_type.value,
                schema=version.schema,
                data=cleaned,
                files=files_of(version.schema, cleaned),
            )
        )
    return cleaned_entities


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
