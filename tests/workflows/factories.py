"""factory_boy factories of the workflows app (shared by both workflows test suites: add, don't rewrite)."""

import factory

from documents.constants import UploadSource
from tests.documents.factories import UploadedDocumentFactory
from tests.workspaces.factories import WorkspaceFactory
from workflows.constants import CustomerType, WorkflowType
from workflows.ids import subject_document_id
from workflows.models import RequiredDocument, SubjectRecord, SubjectRecordDocument, Workflow


class SubjectRecordFactory(factory.django.DjangoModelFactory[SubjectRecord]):
    class Meta:
        model = SubjectRecord

    workspace = factory.SubFactory(WorkspaceFactory)
    customer_type = CustomerType.COMPANY
    reference = factory.Sequence(lambda n: f"REF-{n:05d}")


class WorkflowFactory(factory.django.DjangoModelFactory[Workflow]):
    class Meta:
        model = Workflow

    workspace = factory.SelfAttribute("subject_record.workspace")
    subject_record = factory.SubFactory(SubjectRecordFactory)
    type = WorkflowType.BUSINESS_APPLICATION


class RequiredDocumentFactory(factory.django.DjangoModelFactory[RequiredDocument]):
    class Meta:
        model = RequiredDocument

    workflow = factory.SubFactory(WorkflowFactory)
    document_type_code = "PASSPORT"
    name = "Passport Document"
    requirement_text = "Valid passport required"


def uploaded_subject_document(record: SubjectRecord, file_name: str = "scan.pdf") -> SubjectRecordDocument:
    """A document of ``record`` as the upload core leaves it once verified (no S3 object: for non-S3 tests)."""
    document = UploadedDocumentFactory.create(
        workspace=record.workspace,
        key=f"{record.public_id}/{subject_document_id()}.pdf",
        final_key=f"objects/{record.workspace.public_id}/{record.public_id}/{file_name}",
        sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        original_name=file_name,
        max_size=10,
        size=10,
        source=UploadSource.SUBJECT_DOCUMENT,
    )
    return SubjectRecordDocument.objects.create(subject_record=record, document=document)
