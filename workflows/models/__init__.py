"""Subject records and workflows. One module per area, so each can grow on its own."""

from workflows.models.actions import PublicAction, PublicActionFile
from workflows.models.records import Relation, SubjectRecord, SubjectRecordDocument, Workflow
from workflows.models.requirements import Fulfillment, RequiredDocument
from workflows.models.revisions import RevisionItem, RevisionRequest

__all__ = [
    "Fulfillment",
    "PublicAction",
    "PublicActionFile",
    "RequiredDocument",
    "Relation",
    "RevisionItem",
    "RevisionRequest",
    "SubjectRecord",
    "SubjectRecordDocument",
    "Workflow",
]
