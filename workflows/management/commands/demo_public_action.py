"""`manage.py demo_public_action`: a workflow of the demo workspace and a public action link to try the flow."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from submissions.constants import FormStatus
from submissions.models import Form, FormVersion
from workflows.constants import CustomerType, WorkflowType
from workflows.models import SubjectRecord, Workflow
from workflows.services.public_actions import public_action_create
from workspaces.models import Workspace

# The fields of the public action document's examples: root-level, individual and company entities.
DEMO_FORMS: dict[str, tuple[str, dict[str, Any]]] = {
    "root": (
        "Client onboarding",
        {
            "fields": [
                {"key": "first_name", "label": "First name", "type": "text"},
                {"key": "last_name", "label": "Last name", "type": "text"},
                {"key": "date_of_birth", "label": "Date of birth", "type": "date"},
                {"key": "id_document", "label": "ID document", "type": "file"},
                {"key": "proof_of_address", "label": "Proof of address", "type": "file"},
                {"key": "company_document", "label": "Company document", "type": "file"},
            ]
        },
    ),
    "individual": (
        "Related person",
        {
            "fields": [
                {"key": "first_name", "label": "First name", "type": "text", "required": True},
                {"key": "last_name", "label": "Last name", "type": "text", "required": True},
                {"key": "id_document", "label": "ID document", "type": "file"},
            ]
        },
    ),
    "company": (
        "Related company",
        {
            "fields": [
                {"key": "company_name", "label": "Company name", "type": "text", "required": True},
                {"key": "registration_number", "label": "Registration number", "type": "text"},
                {"key": "company_document", "label": "Company document", "type": "file"},
            ]
        },
    ),
}


def _demo_form_version(workspace: Workspace, name: str) -> FormVersion:
    title, schema = DEMO_FORMS[name]
    form, _ = Form.objects.get_or_create(
        workspace=workspace,
        slug=f"demo-public-action-{name}",
        defaults={"title": title, "schema": schema, "status": FormStatus.PUBLISHED},
    )
    version = form.versions.order_by("-version").first()
    return version or FormVersion.objects.create(form=form, version=1, schema=form.schema)


class Command(BaseCommand):
    help = "Create a workflow in a workspace (default: the demo one) and print a public action link for it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", default="demo", help="The workspace's slug.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the app is served.")

    @transaction.atomic
    def handle(self, *args: Any, workspace: str, base_url: str, **options: Any) -> None:
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with slug {workspace!r} (run `manage.py seed_demo` first).")
        root = SubjectRecord.objects.create(workspace=target, customer_type=CustomerType.COMPANY)
        workflow = Workflow.objects.create(
            workspace=target, subject_record=root, type=WorkflowType.BUSINESS_APPLICATION
        )
        action, token = public_action_create(
            workflow=workflow,
            form_version=_demo_form_version(target, "root"),
            individual_form_version=_demo_form_version(target, "individual"),
            company_form_version=_demo_form_version(target, "company"),
            acting_user=None,
        )
        base = base_url.rstrip("/")
        self.stdout.write(
            self.style.SUCCESS(f"Public action {action.public_id} for workflow {workflow.public_id}.")
            + f"\n  End-client page: {base}/actions/{token}"
            + f"\n  API:             POST {base}/v3/public/actions/{token}"
            + f"\n                   POST {base}/v3/public/actions/{token}/confirm"
            + f"\n  Expires:         {action.expires_at:%Y-%m-%d %H:%M} UTC\n"
        )
