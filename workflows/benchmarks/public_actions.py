"""Public action cases: submit with 0, 2 and 10 files, confirm with 10 files.

Each is compared with the floor of signing the same number of presigned POSTs with the same boto3 client
(the one piece of work a submission with files cannot avoid). Submitting without files has no such floor.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client
from django.urls import reverse

from documents import s3
from submissions.models import Form, FormVersion
from workflows.benchmarks.runner import Result, measure
from workflows.constants import CustomerType, WorkflowType
from workflows.models import SubjectRecord, Workflow
from workflows.services.public_actions import public_action_create
from workspaces.models import Workspace

FILE_FIELDS = [f"document_{n}" for n in range(10)]
PDF = b"%PDF-1.4\n" + b"0" * 2048
MB = 1024 * 1024


def _form_version(workspace: Workspace) -> FormVersion:
    schema = {
        "fields": [
            {"key": "first_name", "label": "First name", "type": "text"},
            {"key": "last_name", "label": "Last name", "type": "text"},
            *({"key": key, "label": key, "type": "file"} for key in FILE_FIELDS),
        ]
    }
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    form = Form.objects.create(workspace=workspace, title="Benchmark", slug=slug, schema=schema, status="published")
    return FormVersion.objects.create(form=form, version=1, schema=schema)


def _sign_floor(count: int) -> Any:
    def floor() -> None:
        for n in range(count):
            s3.s3_client().generate_presigned_post(
                Bucket=s3.bucket_name(),
                Key=f"ws/endClient/sr_x/file-{n}.pdf",
                Fields={"Content-Type": "application/pdf"},
                Conditions=[
                    ["eq", "$Content-Type", "application/pdf"],
                    ["content-length-range", 1, 15 * MB],
                ],
                ExpiresIn=3600,
            )

    return floor


def public_action_cases(workspace: Workspace, repeat: int) -> list[Result]:
    version = _form_version(workspace)
    client = Client()
    state: dict[str, Any] = {}

    def new_action() -> str:
        root = SubjectRecord.objects.create(workspace=workspace, customer_type=CustomerType.COMPANY)
        workflow = Workflow.objects.create(
            workspace=workspace, subject_record=root, type=WorkflowType.BUSINESS_APPLICATION
        )
        _, token = public_action_create(workflow=workflow, form_version=version, acting_user=None)
        return token

    def body(files: int) -> dict[str, Any]:
        return {"first_name": "Ann", "last_name": "Lee", **{key: f"{key}.pdf" for key in FILE_FIELDS[:files]}}

    def submit_case(files: int) -> Result:
        def setup() -> None:
            state["token"] = new_action()

        def submit() -> None:
            url = reverse("public-action-submit", args=[state["token"]])
            response = client.post(url, body(files), content_type="application/json")
            assert response.status_code == 200, response.content

        return measure(
            f"POST /v3/public/actions/{{token}} with {files} files",
            submit,
            setup=setup,
            floor=f"sign {files} POSTs" if files else "-",
            floor_fn=_sign_floor(files) if files else None,
            repeat=repeat,
            target="reported",
        )

    def confirm_setup() -> None:
        token = new_action()
        url = reverse("public-action-submit", args=[token])
        uploads = client.post(url, body(10), content_type="application/json").json()["fileUploads"]
        for upload in uploads:
            s3.s3_client().put_object(
                Bucket=s3.bucket_name(), Key=upload["fields"]["key"], Body=PDF, ContentType="application/pdf"
            )
        state["token"] = token

    def confirm() -> None:
        response = client.post(reverse("public-action-confirm", args=[state["token"]]))
        assert response.status_code == 200, response.content

    return [
        submit_case(0),
        submit_case(2),
        submit_case(10),
        measure(
            "POST /v3/public/actions/{token}/confirm with 10 files",
            confirm,
            setup=confirm_setup,
            floor="sign 10 POSTs",
            floor_fn=_sign_floor(10),
            repeat=max(5, repeat // 4),
            target="reported (1 listing + 10 ranged GETs)",
        ),
    ]
