"""`seed_demo`'s files: a PDF and an image uploaded for the demo workflow's requirements, one also attached to a
queue case, so a reviewer meets real thumbnails and downloads on the workflow page, the case page and the documents
admin.

Each file takes the path a client's does: ``subject_document_create`` signs a presigned POST, the bytes are POSTed
straight to S3, ``subject_document_refresh`` verifies them and copies the final object, the content check runs and
the thumbnail is rendered (what the worker would do), and ``fulfillment_batch_add`` links it. No transaction is open
meanwhile. Seeded once: a second run finds the first file's fulfillment.
"""

from __future__ import annotations

import io

import urllib3
from django.contrib.auth.models import User
from PIL import Image, ImageDraw, ImageFont

from documents.embedded_s3 import embedded_s3_while_seeding
from documents.scanning import document_scan
from documents.services import document_thumbnail_ensure
from submissions.models import Submission
from submissions.services.submissions import attachment_add
from workflows.models import Fulfillment, RequiredDocument, SubjectRecordDocument, Workflow
from workflows.services.documents import subject_document_create, subject_document_refresh
from workflows.services.requirements import FulfillmentRequest, fulfillment_batch_add

# The queue case the PDF is also attached to (seed_demo's queue: the one assigned to the reviewer).
ATTACHED_TO_COMPANY = "Fjord Analytics AS"


def _page(title: str, lines: list[str], size: tuple[int, int]) -> Image.Image:
    """A plain document page: a title, a rule and a few lines of text, as a scan of a real one would read."""
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    width = size[0]
    draw.rectangle((0, 0, width, 18), fill="#1f4e79")
    draw.text((60, 70), title, fill="#1f2933", font=ImageFont.load_default(size=34))
    draw.line((60, 125, width - 60, 125), fill="#1f4e79", width=3)
    body = ImageFont.load_default(size=20)
    for index, line in enumerate(lines):
        draw.text((60, 160 + index * 36), line, fill="#333333", font=body)
    return page


def certificate_pdf() -> bytes:
    page = _page(
        "Certificate of Incorporation",
        [
            "Company number 12873460",
            "",
            "The Registrar of Companies for England and Wales hereby",
            "certifies that NORTHWIND TRADING LTD is this day",
            "incorporated under the Companies Act 2006 as a private",
            "company, limited by shares.",
            "",
            "Registered office: 14 Harbour Road, Bristol BS1 5TY",
            "Given at Companies House, Cardiff, on 3 March 2014.",
        ],
        (850, 1100),
    )
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=100)
    return out.getvalue()


def utility_bill_png() -> bytes:
    page = _page(
        "Severn Water: statement",
        [
            "Northwind Trading Ltd",
            "14 Harbour Road, Bristol BS1 5TY",
            "",
            "Statement date: 2 October 2026",
            "Account 4410 2298 17",
            "Amount due: GBP 184.20",
        ],
        (800, 600),
    )
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


def _upload(url: str, fields: dict[str, str], file_name: str, content: bytes) -> None:
    """POST the signed fields first and the file last, as a browser does."""
    parts: list[tuple[str, str | tuple[str, bytes]]] = [*fields.items(), ("file", (file_name, content))]
    response = urllib3.request("POST", url, fields=parts, timeout=30, retries=False)
    if response.status not in (200, 201, 204):
        raise RuntimeError(f"The demo upload of {file_name} was refused by S3 ({response.status}).")


def _upload_checked(workflow: Workflow, owner: User, file_name: str, content: bytes) -> SubjectRecordDocument:
    """One file of the workflow's client, uploaded, verified, checked and thumbnailed."""
    link, post = subject_document_create(
        workspace=workflow.workspace,
        subject_record_id=workflow.subject_record.public_id,
        file_name=file_name,
        file_size_in_bytes=len(content),
        acting_user=owner,
    )
    _upload(post.url, post.fields, file_name, content)
    link = subject_document_refresh(link=link)
    document_scan(link.document.pk)  # the worker's content check, now, so the file is served at once
    link.document.refresh_from_db()
    document_thumbnail_ensure(document=link.document)
    return link


def seed_demo_files(*, workflow: Workflow, owner: User) -> str:
    """Upload the demo files if they are not there yet; a few words on what the demo holds."""
    requirements = {
        requirement.document_type_code: requirement
        for requirement in RequiredDocument.objects.filter(workflow=workflow)
    }
    files = [
        ("ARTICLES_OF_INCORPORATION", "certificate-of-incorporation.pdf", certificate_pdf()),
        ("PROOF_OF_ADDRESS", "utility-bill.png", utility_bill_png()),
    ]
    summary = "a PDF and an image for its requirements (one attached to a queue case)"
    first = requirements.get(files[0][0])
    if first is None or Fulfillment.objects.filter(required_document=first).exists():
        return summary
    with embedded_s3_while_seeding():  # make run seeds before its server (and the emulator) start
        uploaded = [(code, _upload_checked(workflow, owner, file_name, content)) for code, file_name, content in files]
    fulfillment_batch_add(
        workspace=workflow.workspace,
        workflow_id=workflow.public_id,
        fulfillments=[FulfillmentRequest(requirements[code].public_id, link.public_id) for code, link in uploaded],
        acting_user=owner,
    )
    case = Submission.objects.filter(workspace=workflow.workspace, data__company_name=ATTACHED_TO_COMPANY).first()
    if case is not None:
        attachment_add(submission=case, document_uuid=uploaded[0][1].document.uuid, acting_user=owner)
    return summary
