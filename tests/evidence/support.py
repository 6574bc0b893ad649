"""A workflow as a reviewer leaves it: the demo's client with its parties, real files, decisions, a revision."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2
import requests
from django.contrib.auth.models import User

from submissions.models import Submission
from tests.conftest import SCREENSHOTS
from tests.uploads import pdf_bytes, run_scans
from workflows.constants import DecisionStatus
from workflows.models import Fulfillment, PublicAction, RequiredDocument, SubjectRecord, Workflow
from workflows.services.documents import subject_document_create, subject_document_refresh
from workflows.services.requirements import FulfillmentRequest, fulfillment_batch_add, fulfillment_decide
from workflows.services.revisions import revision_request_create
from workspaces.demo_data import CLIENT_REFERENCE, seed_reviewer_data
from workspaces.models import Workspace

PDF = pdf_bytes()


@dataclass
class ReviewedWorkflow:
    workflow: Workflow
    submission: Submission
    accepted: Fulfillment
    rejected: Fulfillment
    revision_reason: str


def upload(record: SubjectRecord, name: str, content: bytes = PDF) -> Any:
    link, post = subject_document_create(
        workspace=record.workspace,
        subject_record_id=record.public_id,
        file_name=name,
        file_size_in_bytes=len(content),
        acting_user=None,
    )
    assert requests.post(post.url, data=post.fields, files={"file": (name, content)}, timeout=10).status_code == 204
    subject_document_refresh(link=link)
    return link


def reviewed_workflow(workspace: Workspace, *, owner: User, reviewer: User) -> ReviewedWorkflow:
    """The demo client (Northwind, 4 parties, 3 requirements): the certificate accepted, the proof of address
    rejected by a revision request, Ben Okafor's passport pending."""
    seed_reviewer_data(workspace=workspace, owner=owner, reviewer=reviewer)
    root = SubjectRecord.objects.get(workspace=workspace, reference=CLIENT_REFERENCE)
    workflow = Workflow.objects.get(subject_record=root)
    ben = SubjectRecord.objects.get(workspace=workspace, reference="DEMO-BEN")
    certificate = upload(root, "certificate-of-incorporation.pdf", pdf_bytes(1))
    bill = upload(root, "utility-bill.pdf", pdf_bytes(2))
    passport = upload(ben, "ben-okafor-passport.pdf", pdf_bytes(3))
    run_scans()
    requirements = {r.document_type_code: r for r in RequiredDocument.objects.filter(workflow=workflow)}
    pairs = [("ARTICLES_OF_INCORPORATION", certificate), ("PROOF_OF_ADDRESS", bill), ("PASSPORT", passport)]
    fulfillments = fulfillment_batch_add(
        workspace=workspace,
        workflow_id=workflow.public_id,
        fulfillments=[FulfillmentRequest(requirements[code].public_id, link.public_id) for code, link in pairs],
        acting_user=reviewer,
    )
    accepted = fulfillment_decide(
        workspace=workspace,
        fulfillment_id=fulfillments[0].public_id,
        decision=DecisionStatus.ACCEPTED,
        reason="",
        acting_user=reviewer,
    )
    reason = "The bill is older than three months; please send one from this quarter."
    revision_request_create(
        workspace=workspace,
        workflow_id=workflow.public_id,
        required_document_ids=[requirements["PROOF_OF_ADDRESS"].public_id],
        message=reason,
        acting_user=reviewer,
    )
    submission = Submission.objects.get(pk__in=PublicAction.objects.filter(workflow=workflow).values("submission_id"))
    return ReviewedWorkflow(
        workflow=workflow,
        submission=submission,
        accepted=accepted,
        rejected=Fulfillment.objects.get(pk=fulfillments[1].pk),
        revision_reason=reason,
    )


def pdf_pages_to_png(content: bytes, name: str) -> list[Path]:
    """Each page as a PNG under artifacts/screenshots/ (``<name>-page<N>.png``), to look at as a reader would."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, page in enumerate(pypdfium2.PdfDocument(io.BytesIO(content)), start=1):
        path = SCREENSHOTS / f"{name}-page{number}.png"
        page.render(scale=1.4).to_pil().save(path)
        paths.append(path)
    return paths


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(content))
    return "\n".join(page.get_textpage().get_text_range() for page in document)
