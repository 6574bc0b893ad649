"""`seed_demo`'s reviewer data: a client company's workflow with parties and requirements, and a review queue.

Everything goes through the services the API and the end-client page use; nothing here touches S3 (the files come
after this transaction: ``workspaces.demo_files``). Each part is seeded once: a second run finds it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from submissions.constants import SubmissionStatus
from submissions.models import Form, FormVersion, Submission
from submissions.services.submissions import form_create, form_publish, submission_create, submission_update
from workflows.constants import ROLE_ENTITY_KEY, ROLE_ENTITY_RELATIONS_KEY, CustomerType, WorkflowType
from workflows.inputs import public_action_body_parse
from workflows.models import SubjectRecord
from workflows.services.public_actions import public_action_create, public_action_submit
from workflows.services.requirements import NewSubjectRecord, required_document_add, workflow_create
from workspaces.models import Workspace

CLIENT_REFERENCE = "DEMO-NORTHWIND"
ONBOARDING_SLUG = "demo-company-onboarding"

_FORMS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    ONBOARDING_SLUG: (
        "Company onboarding",
        [
            {"key": "company_name", "label": "Company name", "type": "text", "required": True},
            {"key": "registration_number", "label": "Registration number", "type": "text"},
            {"key": "country", "label": "Country of incorporation", "type": "country"},
            {"key": "contact_email", "label": "Contact e-mail", "type": "email"},
            {"key": "annual_revenue", "label": "Annual revenue (EUR)", "type": "number"},
        ],
    ),
    "demo-related-person": (
        "Related person",
        [
            {"key": "first_name", "label": "First name", "type": "text", "required": True},
            {"key": "last_name", "label": "Last name", "type": "text", "required": True},
            {"key": "date_of_birth", "label": "Date of birth", "type": "date"},
            {"key": "nationality", "label": "Nationality", "type": "country"},
        ],
    ),
    "demo-related-company": (
        "Related company",
        [
            {"key": "company_name", "label": "Company name", "type": "text", "required": True},
            {"key": "registration_number", "label": "Registration number", "type": "text"},
            {"key": "country", "label": "Country of incorporation", "type": "country"},
        ],
    ),
}

# Holding GmbH owns 50% of the client and Anna 60% of the holding (30% of the client: a UBO through the chain);
# Ben holds 20% directly (no UBO at the default 25%); Clara is a director without a share.
_PARTIES: dict[str, Any] = {
    ROLE_ENTITY_KEY: [
        {
            "reference": "DEMO-HOLDING",
            "customer_type": "company",
            "company_name": "Northwind Holding GmbH",
            "registration_number": "HRB 204518",
            "country": "DE",
        },
        {
            "reference": "DEMO-ANNA",
            "customer_type": "individual",
            "first_name": "Anna",
            "last_name": "Schmidt",
            "date_of_birth": "1979-04-12",
            "nationality": "DE",
        },
        {
            "reference": "DEMO-BEN",
            "customer_type": "individual",
            "first_name": "Ben",
            "last_name": "Okafor",
            "date_of_birth": "1985-09-30",
            "nationality": "GB",
        },
        {
            "reference": "DEMO-CLARA",
            "customer_type": "individual",
            "first_name": "Clara",
            "last_name": "Rossi",
            "date_of_birth": "1990-01-21",
            "nationality": "IT",
        },
    ],
    ROLE_ENTITY_RELATIONS_KEY: [
        {"from": "DEMO-HOLDING", "to": "root", "role": "shareholder", "ownership_percentage": 50},
        {"from": "DEMO-ANNA", "to": "DEMO-HOLDING", "role": "shareholder", "ownership_percentage": 60},
        {"from": "DEMO-BEN", "to": "root", "role": "shareholder", "ownership_percentage": 20},
        {"from": "DEMO-CLARA", "to": "root", "role": "director"},
    ],
}

# Queue rows: (company, country, status, assigned to the reviewer).
_QUEUE = (
    ("Fjord Analytics AS", "NO", SubmissionStatus.COMPLETED, True),
    ("Tagus Logistics Lda", "PT", SubmissionStatus.COMPLETED, False),
    ("Baltic Amber OÜ", "EE", SubmissionStatus.PENDING, False),
    ("Atlas Ceramics SARL", "FR", SubmissionStatus.DRAFT, False),
    ("Danube Foods Kft", "HU", SubmissionStatus.EDITED, False),
)


def _form_version(workspace: Workspace, slug: str, owner: User) -> FormVersion:
    form = Form.objects.filter(workspace=workspace, slug=slug).first()
    if form is None:
        title, fields = _FORMS[slug]
        form = form_create(workspace=workspace, title=title, slug=slug, schema={"fields": fields}, acting_user=owner)
    version = form.versions.order_by("-version").first()
    return version or form_publish(form=form, acting_user=owner)


def _seed_workflow(workspace: Workspace, owner: User, versions: dict[str, FormVersion]) -> None:
    """The client, its parties (through the end-client's public action) and what the reviewer must collect."""
    workflow = workflow_create(
        workspace=workspace,
        type=WorkflowType.BUSINESS_APPLICATION,
        subject_record=NewSubjectRecord(customer_type=CustomerType.COMPANY, reference=CLIENT_REFERENCE),
        acting_user=owner,
    )
    _, token = public_action_create(
        workflow=workflow,
        form_version=versions[ONBOARDING_SLUG],
        individual_form_version=versions["demo-related-person"],
        company_form_version=versions["demo-related-company"],
        acting_user=owner,
    )
    client = {
        "company_name": "Northwind Trading Ltd",
        "registration_number": "12873460",
        "country": "GB",
        "contact_email": "compliance@northwind.example",
        "annual_revenue": 4200000,
    }
    public_action_submit(token=token, submission=public_action_body_parse({**client, **_PARTIES}))
    for code, text in (
        ("ARTICLES_OF_INCORPORATION", "Certificate of incorporation of Northwind Trading Ltd"),
        ("PROOF_OF_ADDRESS", "Registered office, under 3 months old"),
        ("PASSPORT", "For Anna Schmidt (UBO through Northwind Holding GmbH)"),
    ):
        required_document_add(
            workspace=workspace,
            workflow_id=workflow.public_id,
            document_type_code=code,
            requirement_text=text,
            acting_user=owner,
        )


def _seed_queue(workspace: Workspace, version: FormVersion, owner: User, reviewer: User) -> None:
    for index, (company, country, status, assigned) in enumerate(_QUEUE):
        data = {
            "company_name": company,
            "registration_number": f"REG-{4100 + index}",
            "country": country,
            "contact_email": f"kyc{index}@{company.split()[0].lower()}.example",
        }
        created = SubmissionStatus.DRAFT if status == SubmissionStatus.DRAFT else SubmissionStatus.COMPLETED
        submission = submission_create(
            workspace=workspace, form_version=version, data=data, status=created, acting_user=None
        )
        if status == SubmissionStatus.PENDING:
            submission_update(submission=submission, status=status, acting_user=owner)
        elif status == SubmissionStatus.EDITED:
            submission_update(submission=submission, data={**data, "annual_revenue": 880000}, acting_user=owner)
        if assigned:
            submission_update(submission=submission, user_id=str(reviewer.pk), acting_user=owner)


def seed_reviewer_data(*, workspace: Workspace, owner: User, reviewer: User) -> str:
    """Seed what is missing and say in a few words what the demo holds."""
    versions = {slug: _form_version(workspace, slug, owner) for slug in _FORMS}
    onboarding = versions[ONBOARDING_SLUG]
    if not SubjectRecord.objects.filter(workspace=workspace, reference=CLIENT_REFERENCE).exists():
        _seed_workflow(workspace, owner, versions)
    # The workflow's own submission is the client's; the queue rows are the ones without a workflow.
    if not Submission.objects.filter(form=onboarding.form, metadata__workflow_id__isnull=True).exists():
        _seed_queue(workspace, onboarding, owner, reviewer)
    count = Submission.objects.filter(form=onboarding.form).count()
    return (
        f"workflow {CLIENT_REFERENCE} (Northwind Trading Ltd, 4 parties, 3 required documents), "
        f"{count} '{onboarding.form.title}' submissions"
    )
