"""`manage.py demo_cases`: submissions of the demo workspace for reviewers to read, compare and roll back.

Idempotent: a second run finds the demo form and adds nothing. Writes go through the services; the second version
of the first case is an edit "by the API key" (no user), as an integration would make it.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.models import Form
from submissions.services import form_create, form_publish, note_create, submission_create, submission_update
from workspaces.management.commands.seed_demo import DEMO_SLUG
from workspaces.models import Workspace

DEMO_FORM_SLUG = "demo-case-review"
SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "company_name", "label": "Company name", "type": "text", "required": True},
        {"key": "email", "label": "Contact email", "type": "email", "required": True},
        {"key": "country", "label": "Country of incorporation", "type": "country"},
        {
            "key": "entity_type",
            "label": "Entity type",
            "type": "radio",
            "options": [{"value": "llc", "label": "Limited company"}, {"value": "trust", "label": "Trust"}],
        },
        {
            "key": "risk_flags",
            "label": "Risk flags",
            "type": "checkbox",
            "options": [
                {"value": "high_risk", "label": "High-risk country"},
                {"value": "pep", "label": "Politically exposed person"},
            ],
        },
        {"key": "is_pep", "label": "Is a director politically exposed?", "type": "yesno"},
        {
            "key": "pep_role",
            "label": "Public role held",
            "type": "text",
            "condition": {"field": "is_pep", "operator": "equals", "value": True},
        },
        {
            "key": "share_allocation",
            "label": "Share allocation",
            "type": "table_fill",
            "columns": [
                {"key": "name", "label": "Shareholder", "type": "text", "sourceField": "shareholder_name"},
                {"key": "shares", "label": "Shares", "type": "number", "constraints": {"min": 0, "integer": True}},
            ],
        },
    ],
    "sections": [
        {
            "id": "section_shareholders",
            "title": "Shareholders",
            "repeatable": True,
            "fields": [
                {"key": "shareholder_name", "label": "Name", "type": "text", "required": True},
                {"key": "shareholder_address", "label": "Address", "type": "text"},
            ],
        }
    ],
}
CASES: list[dict[str, Any]] = [
    {
        "company_name": "Northwind Trading Ltd",
        "email": "ops@northwind.example",
        "country": "GB",
        "entity_type": "llc",
        "risk_flags": ["pep"],
        "is_pep": True,
        "pep_role": "Member of a municipal council",
        "section_shareholders_items": [
            {"shareholder_name": "Alice Archer", "shareholder_address": "1 Quay St, Bristol"},
            {"shareholder_name": "Bram Bakker", "shareholder_address": "Prinsengracht 10, Amsterdam"},
        ],
        "share_allocation": [{"name": "Alice Archer", "shares": 600}, {"name": "Bram Bakker", "shares": 400}],
    },
    {
        "company_name": "Fjord Holdings AS",
        "email": "kyc@fjord.example",
        "country": "NO",
        "entity_type": "trust",
        "is_pep": False,
        "section_shareholders_items": [{"shareholder_name": "Ingrid Berg", "shareholder_address": "Oslo"}],
        "share_allocation": [{"name": "Ingrid Berg", "shares": 1000}],
    },
]


class Command(BaseCommand):
    help = "Create demo submissions (with an edited version and a note) in the demo workspace of seed_demo."

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if workspace is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        if Form.objects.filter(workspace=workspace, slug=DEMO_FORM_SLUG).exists():
            self.stdout.write("Demo cases already there.")
            return
        owner = workspace.memberships.filter(role="OWNER").select_related("user").first()
        user = owner.user if owner else None
        form = form_create(
            workspace=workspace,
            title="Company onboarding (case review demo)",
            slug=DEMO_FORM_SLUG,
            schema=SCHEMA,
            acting_user=user,
        )
        version = form_publish(form=form, acting_user=user)
        first, _ = (
            submission_create(workspace=workspace, form_version=version, data=copy.deepcopy(data), acting_user=None)
            for data in CASES
        )
        edited = copy.deepcopy(first.data)
        edited["email"] = "compliance@northwind.example"
        edited["section_shareholders_items"].append({"shareholder_name": "Carl Cole", "shareholder_address": "Leeds"})
        edited["share_allocation"] = [
            {"name": "Alice Archer", "shares": 500},
            {"name": "Bram Bakker", "shares": 300},
            {"name": "Carl Cole", "shares": 200},
        ]
        submission_update(submission=first, data=edited, acting_user=None)
        note_create(submission=first, content="Check the new shareholder against the registry.", acting_user=user)
        self.stdout.write(self.style.SUCCESS(f"Demo cases ready: {first.public_id} has two versions and a note."))
