"""Subject records and workflows. One module per area, so each can grow on its own."""

from workflows.models.records import Relation, SubjectRecord, SubjectRecordDocument, Workflow

__all__ = ["Relation", "SubjectRecord", "SubjectRecordDocument", "Workflow"]
