"""Typed input of the workflows services, parsed from what a client sent (the API's JSON, a page's form).

``public_action_body_parse`` turns the body of ``POST /v3/public/actions/{token}`` (the contract's keys:
``role-entity``, ``customer_type``, ``role-entity_relations``, ``ownership_percentage``) into a
``PublicActionSubmission``. It checks the shape the body can be judged on alone (references, relations, shares,
circles of ownership) and never raises: what is wrong is kept in ``problems`` (path -> messages), so the service,
which first checks the link's state and then the data against the action's forms, answers every problem in one
400. The form data of the root and of each entity stays a dict keyed by the form's own field keys.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_noop

from config.errors import ValidationFailed
from config.messages import Message
from workflows.constants import ROLE_ENTITY_KEY, ROLE_ENTITY_RELATIONS_KEY, ROOT_REFERENCE, CustomerType

MAX_ENTITIES = 100
MAX_RELATIONS = 500
MAX_REFERENCE_LENGTH = 200
# Roles that mean ownership even without a percentage: these relations may not form a circle.
OWNERSHIP_ROLES = frozenset({"owner", "ubo", "shareholder"})
ROLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
ENTITY_IDENTITY_KEYS = ("reference", "customer_type")
RELATION_KEYS = frozenset({"from", "to", "role", "ownership_percentage"})


class FieldErrors:
    """Messages per path of the body (``role-entity[0].reference``), collected to be answered together."""

    def __init__(self, fields: dict[str, list[str]] | None = None) -> None:
        self.fields: dict[str, list[str]] = {path: list(messages) for path, messages in (fields or {}).items()}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, []).append(message)

    def merge(self, prefix: str, exc: ValidationFailed) -> None:
        """The field errors of ``exc`` (a form's data refused), under ``prefix``."""
        fields = exc.details.get("fields") or {"": [exc.message]}
        for path, messages in fields.items():
            full = f"{prefix}.{path}" if prefix and path else (prefix or path)
            for message in messages if isinstance(messages, list) else [messages]:
                self.add(full, message if isinstance(message, str) else str(message))  # a Message stays one


@dataclass(frozen=True)
class EntityInput:
    """A role entity (a director, an owner...): its reference, its type and the fields of its type's form."""

    path: str  # where it is in the body, for messages: role-entity[3]
    reference: str
    customer_type: CustomerType
    data: dict[str, Any]


@dataclass(frozen=True)
class RelationInput:
    from_ref: str
    to_ref: str
    role: str
    ownership: Decimal | None


@dataclass(frozen=True)
class PublicActionSubmission:
    """The end client's submission; ``entities`` and ``relations`` hold the well-formed ones only."""

    root_data: dict[str, Any]
    entities: tuple[EntityInput, ...] = ()
    relations: tuple[RelationInput, ...] = ()
    problems: dict[str, list[str]] = field(default_factory=dict)


def public_action_body_parse(body: Any) -> PublicActionSubmission:
    """The submission in ``body`` (a JSON value as the client sent it); see the module's docstring."""
    if not isinstance(body, dict):
        return PublicActionSubmission(root_data={}, problems={"": ["The body must be a JSON object."]})
    errors = FieldErrors()
    entities = _parse_entities(body.get(ROLE_ENTITY_KEY), errors)
    relations = _parse_relations(body.get(ROLE_ENTITY_RELATIONS_KEY), {e.reference for e in entities}, errors)
    root_data = {key: value for key, value in body.items() if key not in (ROLE_ENTITY_KEY, ROLE_ENTITY_RELATIONS_KEY)}
    return PublicActionSubmission(
        root_data=root_data, entities=tuple(entities), relations=tuple(relations), problems=errors.fields
    )


def _parse_entities(raw: Any, errors: FieldErrors) -> list[EntityInput]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(ROLE_ENTITY_KEY, Message(gettext_noop("Must be a list of entity objects.")))
        return []
    if len(raw) > MAX_ENTITIES:
        errors.add(ROLE_ENTITY_KEY, Message(gettext_noop("At most %(count)s entities."), count=MAX_ENTITIES))
        return []
    entities: list[EntityInput] = []
    for index, item in enumerate(raw):
        path = f"{ROLE_ENTITY_KEY}[{index}]"
        if not isinstance(item, dict):
            errors.add(path, Message(gettext_noop("Must be an object.")))
            continue
        reference, customer_type = item.get("reference"), item.get("customer_type")
        problem = _reference_problem(reference)
        if problem:
            errors.add(f"{path}.reference", problem)
        if customer_type not in CustomerType.values:
            errors.add(
                f"{path}.customer_type",
                Message(gettext_noop("Must be one of %(values)s."), values=list(CustomerType.values)),
            )
            continue
        if problem is None and isinstance(reference, str):
            data = {key: value for key, value in item.items() if key not in ENTITY_IDENTITY_KEYS}
            entities.append(EntityInput(path, reference, CustomerType(customer_type), data))
    return entities


def _reference_problem(reference: Any) -> Message | None:
    if not isinstance(reference, str) or not reference.strip():
        return Message(gettext_noop("A non-empty string is required."))
    if len(reference) > MAX_REFERENCE_LENGTH or reference != reference.strip():
        return Message(gettext_noop("At most %(limit)s characters, no surrounding spaces."), limit=MAX_REFERENCE_LENGTH)
    if reference == ROOT_REFERENCE:
        return Message(gettext_noop("'%(root)s' is reserved for the root record."), root=ROOT_REFERENCE)
    return None


def _parse_ownership(raw: Any, path: str, errors: FieldErrors) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):  # "1e2" is a string, not a share
        errors.add(path, Message(gettext_noop("Must be a number between 0 and 100.")))
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.add(path, Message(gettext_noop("Must be a number between 0 and 100.")))
        return None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors.add(path, Message(gettext_noop("Must be a number between 0 and 100.")))
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.add(path, Message(gettext_noop("At most two decimal places.")))
        return None
    return value


def _parse_relations(raw: Any, references: set[str], errors: FieldErrors) -> list[RelationInput]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(ROLE_ENTITY_RELATIONS_KEY, Message(gettext_noop("Must be a list of relation objects.")))
        return []
    if len(raw) > MAX_RELATIONS:
        errors.add(
            ROLE_ENTITY_RELATIONS_KEY, Message(gettext_noop("At most %(count)s relations."), count=MAX_RELATIONS)
        )
        return []
    known = references | {ROOT_REFERENCE}
    relations: list[RelationInput] = []
    seen: set[tuple[str, str, str]] = set()
    ownership_per_target: dict[str, Decimal] = defaultdict(Decimal)
    for index, item in enumerate(raw):
        path = f"{ROLE_ENTITY_RELATIONS_KEY}[{index}]"
        if not isinstance(item, dict):
            errors.add(path, Message(gettext_noop("Must be an object.")))
            continue
        unknown = set(item) - RELATION_KEYS
        for key in sorted(unknown):
            errors.add(f"{path}.{key}", Message(gettext_noop("Unknown attribute.")))
        ok = not unknown
        ends: dict[str, str] = {}
        for end in ("from", "to"):
            value = item.get(end)
            if not isinstance(value, str) or value not in known:
                errors.add(
                    f"{path}.{end}",
                    Message(
                        gettext_noop("Must be '%(root)s' or the reference of an entity of this request."),
                        root=ROOT_REFERENCE,
                    ),
                )
                ok = False
            else:
                ends[end] = value
        role = item.get("role")
        if not isinstance(role, str) or not ROLE_PATTERN.match(role):
            errors.add(
                f"{path}.role",
                Message(
                    gettext_noop("A role is lower-case letters, digits and underscores (owner, ubo, director...).")
                ),
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
            errors.add(path, Message(gettext_noop("A record cannot be related to itself.")))
            continue
        if edge in seen:
            errors.add(
                path,
                Message(
                    gettext_noop("Duplicate relation: %(source)s is already %(role)s of %(target)s."),
                    source=ends["from"],
                    role=role,
                    target=ends["to"],
                ),
            )
            continue
        seen.add(edge)
        if ownership is not None:
            ownership_per_target[ends["to"]] += ownership
            if ownership_per_target[ends["to"]] > 100:
                errors.add(
                    path,
                    Message(gettext_noop("Ownership of '%(target)s' adds up to more than 100%%."), target=ends["to"]),
                )
                continue
        relations.append(RelationInput(from_ref=ends["from"], to_ref=ends["to"], role=role, ownership=ownership))
    cycle = _ownership_cycle(relations)
    if cycle:
        errors.add(
            ROLE_ENTITY_RELATIONS_KEY,
            Message(gettext_noop("Ownership cannot go round in a circle: %(cycle)s."), cycle=" -> ".join(cycle)),
        )
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
