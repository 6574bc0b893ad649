"""factory_boy factories of the workflows app (shared by both workflows test suites: add, don't rewrite)."""

import factory

from tests.workspaces.factories import WorkspaceFactory
from workflows.constants import CustomerType, WorkflowType
from workflows.models import RequiredDocument, SubjectRecord, Workflow


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
