"""The ownership structure of a workflow's client: who holds it, directly and through chains of companies.

A relation ``A -> B`` with a percentage means A holds that share of B. A party's share of the root is the sum,
over every path from it to the root, of the product of the shares along the path (60% of a company that holds
50% of the root is 30%). Cycles and totals over 100% are reported, never hidden: a cycle's closing edge is shown
and not followed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from workflows.constants import CustomerType
from workflows.models import Relation, SubjectRecord, Workflow

HUNDRED = Decimal(100)
# How far up the chain the relations are read (one query per level), and how many tree rows are built at most.
MAX_DEPTH = 10
MAX_TREE_NODES = 500


def subject_record_name(record: SubjectRecord) -> str:
    """The name a reviewer knows a record by: its company name or a person's names; else its reference or id."""
    data = record.data if isinstance(record.data, dict) else {}
    name = data.get("company_name") or " ".join(
        str(part) for part in (data.get("first_name"), data.get("last_name")) if part
    )
    return str(name) or record.reference or record.public_id


@dataclass
class Party:
    record: SubjectRecord
    name: str
    effective: Decimal | None = None  # share of the root over every path; None when no path carries shares
    roles: set[str] = field(default_factory=set)
    ubo: bool = False

    @property
    def is_company(self) -> bool:
        return self.record.customer_type == CustomerType.COMPANY


@dataclass
class OwnershipNode:
    """A row of the tree: ``party`` is ``role`` of the parent, holding ``direct`` of it and ``through`` of the root."""

    party: Party
    role: str
    direct: Decimal | None
    through: Decimal | None
    cycle: bool = False  # the party is already on the path to the root: shown, not followed
    children: list[OwnershipNode] = field(default_factory=list)


@dataclass
class OwnershipStructure:
    root: Party
    children: list[OwnershipNode]
    parties: list[Party]  # everyone but the root, largest share first
    warnings: list[str]
    threshold: Decimal


def _relations_up(root: SubjectRecord) -> dict[int, list[Relation]]:
    """The relations pointing at the root and, level by level, at the records related to it (by target id)."""
    incoming: dict[int, list[Relation]] = defaultdict(list)
    seen, frontier = {root.pk}, {root.pk}
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        relations = list(
            Relation.objects.filter(workspace_id=root.workspace_id, to_record_id__in=frontier)
            .select_related("from_record")
            .order_by("-ownership_percentage", "role", "pk")
        )
        for relation in relations:
            incoming[relation.to_record_id].append(relation)
        frontier = {relation.from_record_id for relation in relations} - seen
        seen |= frontier
    return incoming


def _share(parent: Decimal | None, direct: Decimal | None) -> Decimal | None:
    return None if parent is None or direct is None else parent * direct / HUNDRED


def workflow_ownership(*, workflow: Workflow) -> OwnershipStructure:
    """The client's ownership tree, every party's share of it, UBOs at ``UBO_THRESHOLD_PERCENT``, and warnings."""
    root_record = workflow.subject_record
    threshold = Decimal(settings.UBO_THRESHOLD_PERCENT)
    incoming = _relations_up(root_record)
    root = Party(record=root_record, name=subject_record_name(root_record))
    parties: dict[int, Party] = {root_record.pk: root}
    warnings: list[str] = []
    built = 0

    def party_of(record: SubjectRecord) -> Party:
        if record.pk not in parties:
            parties[record.pk] = Party(record=record, name=subject_record_name(record))
        return parties[record.pk]

    def grow(record_pk: int, through: Decimal | None, path: list[int]) -> list[OwnershipNode]:
        nonlocal built
        nodes = []
        for relation in incoming.get(record_pk, []):
            if built >= MAX_TREE_NODES:
                break
            built += 1
            party = party_of(relation.from_record)
            party.roles.add(relation.role)
            share = _share(through, relation.ownership_percentage)
            node = OwnershipNode(party, relation.role, relation.ownership_percentage, share)
            if relation.from_record_id in path:
                node.cycle = True
                circle = [*path[path.index(relation.from_record_id) :], relation.from_record_id]
                warnings.append(
                    "Ownership goes round in a circle: " + " → ".join(parties[pk].name for pk in circle) + "."
                )
            else:
                if share is not None:
                    party.effective = (party.effective or Decimal(0)) + share
                node.children = grow(relation.from_record_id, share, [*path, relation.from_record_id])
            nodes.append(node)
        return nodes

    children = grow(root_record.pk, HUNDRED, [root_record.pk])
    if built >= MAX_TREE_NODES:
        warnings.append(f"The structure is larger than {MAX_TREE_NODES} rows; only the first are shown.")
    for record_pk, relations in incoming.items():
        total = sum((r.ownership_percentage for r in relations if r.ownership_percentage is not None), Decimal(0))
        if total > HUNDRED and record_pk in parties:
            warnings.append(f"The owners of {parties[record_pk].name} hold {total:.2f}% together, more than 100%.")
    others = [party for pk, party in parties.items() if pk != root_record.pk]
    for party in others:
        party.ubo = not party.is_company and party.effective is not None and party.effective >= threshold
    others.sort(key=lambda party: (-(party.effective or Decimal(-1)), party.name))
    return OwnershipStructure(
        root=root, children=children, parties=others, warnings=list(dict.fromkeys(warnings)), threshold=threshold
    )
