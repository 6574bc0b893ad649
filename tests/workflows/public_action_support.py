"""Shared by the public action tests: the forms behind the seed's examples, the seed's bodies, upload helpers."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.urls import reverse

from documents import s3
from submissions.models import Form, FormVersion
from tests.workflows.factories import SubjectRecordFactory, WorkflowFactory
from workflows.constants import CustomerType
from workflows.models import PublicAction, Workflow
from workflows.services.public_actions import public_action_create
from workspaces.models import Workspace

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# The root record's form: every field of the seed's root-level and combined examples, plus a conditional pair.
ROOT_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "first_name", "label": "First name", "type": "text"},
        {"key": "last_name", "label": "Last name", "type": "text"},
        {"key": "date_of_birth", "label": "Date of birth", "type": "date"},
        {"key": "id_document", "label": "ID document", "type": "file"},
        {"key": "proof_of_address", "label": "Proof of address", "type": "file"},
        {"key": "company_document", "label": "Company document", "type": "file"},
        {"key": "has_trading_name", "label": "Trades under another name?", "type": "yesno"},
        {
            "key": "trading_name",
            "label": "Trading name",
            "type": "text",
            "required": True,
            "condition": {"field": "has_trading_name", "operator": "equals", "value": True},
        },
        {
            "key": "trading_licence",
            "label": "Trading licence",
            "type": "file",
            "constraints": {"accept": ["pdf"]},
            "condition": {"field": "has_trading_name", "operator": "equals", "value": True},
        },
    ]
}
INDIVIDUAL_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "first_name", "label": "First name", "type": "text", "required": True},
        {"key": "last_name", "label": "Last name", "type": "text", "required": True},
        {"key": "date_of_birth", "label": "Date of birth", "type": "date"},
        {"key": "id_document", "label": "ID document", "type": "file"},
    ]
}
COMPANY_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "company_name", "label": "Company name", "type": "text", "required": True},
        {"key": "registration_number", "label": "Registration number", "type": "text"},
        {"key": "company_document", "label": "Company document", "type": "file", "constraints": {"accept": ["pdf"]}},
    ]
}

# The seed's three example bodies, verbatim.
SEED_ROOT_BODY = json.loads(
    """{
"first_name": "John",
"last_name": "Smith",
"date_of_birth": "1985-03-15",
"id_document": "passport_scan.pdf",
"proof_of_address": "utility_bill.pdf"
}"""
)
SEED_ROLE_ENTITY_BODY = json.loads(
    """{
"role-entity": [
{
"reference": "company_reference_id_1",
"customer_type": "company",
"company_name": "Acme Corporation",
"registration_number": "12345678",
"company_document": "registration_certificate.pdf"
},
{
"reference": "owner_reference_id_1",
"customer_type": "individual",
"first_name": "John",
"last_name": "Smith",
"id_document": "passport_scan.pdf"
}
],
"role-entity_relations": [
{
"from": "company_reference_id_1",
"to": "root",
"role": "owner"
},
{
"from": "owner_reference_id_1",
"to": "company_reference_id_1",
"role": "ubo",
"ownership_percentage": 75
}
]
}"""
)
SEED_COMBINED_BODY = json.loads(
    """{
"company_document": "main_registration.pdf",
"role-entity": [
{
"reference": "director_ref_1",
"customer_type": "individual",
"first_name": "Jane",
"last_name": "Doe",
"id_document": "director_passport.pdf"
}
],
"role-entity_relations": [
{
"from": "director_ref_1",
"to": "root",
"role": "director"
}
]
}"""
)


def seed_body(body: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(body)


def form_version(workspace: Workspace, schema: dict[str, Any], slug: str, title: str = "") -> FormVersion:
    form = Form.objects.create(
        workspace=workspace, title=title or slug.title(), slug=slug, schema=schema, status="published"
    )
    return FormVersion.objects.create(form=form, version=1, schema=schema)


def make_action(workspace: Workspace, *, workflow: Workflow | None = None, **kwargs: Any) -> tuple[PublicAction, str]:
    """A public action on a fresh workflow (root: a company) with the three forms above."""
    if workflow is None:
        root = SubjectRecordFactory.create(workspace=workspace, customer_type=CustomerType.COMPANY)
        workflow = WorkflowFactory.create(subject_record=root)
    suffix = f"{workspace.pk}-{PublicAction.objects.count()}"
    return public_action_create(
        workflow=workflow,
        form_version=form_version(workspace, ROOT_SCHEMA, f"root-{suffix}"),
        individual_form_version=form_version(workspace, INDIVIDUAL_SCHEMA, f"individual-{suffix}"),
        company_form_version=form_version(workspace, COMPANY_SCHEMA, f"company-{suffix}"),
        acting_user=None,
        **kwargs,
    )


def submit_url(token: str) -> str:
    return reverse("public-action-submit", args=[token])


def confirm_url(token: str) -> str:
    return reverse("public-action-confirm", args=[token])


def decode_policy(fields: dict[str, str]) -> dict[str, Any]:
    return json.loads(base64.b64decode(fields["Policy"]))


def curl_upload(file_upload: dict[str, Any], path: Path) -> int:
    """The seed's curl command: every field with -F, in order, then file=@path last. Returns the HTTP status."""
    command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", file_upload["url"]]
    for name, value in file_upload["fields"].items():
        command += ["-F", f"{name}={value}"]
    command += ["-F", f"file=@{path}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    return int(result.stdout)


def upload_all(file_uploads: list[dict[str, Any]], tmp_path: Path, content: bytes = PDF_BYTES) -> None:
    for index, file_upload in enumerate(file_uploads):
        path = tmp_path / f"{index}-upload.bin"
        path.write_bytes(content)
        assert curl_upload(file_upload, path) == 204


@contextmanager
def count_s3_calls() -> Iterator[Counter[str]]:
    """Counts the S3 operations made through the process's one boto3 client (ListObjectsV2, GetObject...)."""
    calls: Counter[str] = Counter()

    def record(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    events = s3.s3_client().meta.events
    events.register("before-call.s3", record)
    try:
        yield calls
    finally:
        events.unregister("before-call.s3", record)
