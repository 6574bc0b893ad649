"""Cleaning submitted data: each visible answer checked by its field type's handler, hidden ones dropped."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from config.errors import ValidationFailed, first_error_message
from config.messages import Message
from submissions.formschema.compile import compile_schema
from submissions.formschema.fieldtypes.base import CleanContext, FileValues
from submissions.formschema.fieldtypes.files import FileType, accepts
from submissions.formschema.sanitize import sanitize_text
from submissions.formschema.schema import CompiledSchema, Field, Invalid
from submissions.formschema.walk import Walk


class Cleaner(Walk):
    def __init__(self, compiled: CompiledSchema, *, require_required: bool, context: CleanContext) -> None:
        super().__init__(compiled, require_required=require_required)
        self.context = context

    def value(self, item: Field, raw: Any, path: str) -> Any:
        """The cleaned value, or None for "no answer" (also after an error, which is recorded)."""
        if raw is None or (isinstance(raw, str) and not sanitize_text(raw)):
            return None
        try:
            return item.handler.clean(item, raw, path, self.context)
        except Invalid as exc:
            self.error(path, exc.message)
            return None


def _check_documents(context: CleanContext, workspace: Any, cleaner: Cleaner) -> None:
    """One query for every referenced document: same workspace, upload accepted, accepted type."""
    if not context.file_refs:
        return
    from documents.constants import DocumentStatus
    from documents.filetypes import extension_of
    from documents.models import Document

    wanted = {document_uuid for _, _, document_uuid in context.file_refs}
    found = {
        str(row[0]): row
        for row in Document.objects.filter(workspace=workspace, uuid__in=wanted).values_list(
            "uuid", "status", "sanitized_name", "content_type"
        )
    }
    for path, item, document_uuid in context.file_refs:
        row = found.get(document_uuid)
        if row is None:
            cleaner.error(path, Message(gettext_noop("No file %(id)s in this workspace."), id=document_uuid))
            continue
        _, status, name, content_type = row
        if status != DocumentStatus.UPLOADED:
            cleaner.error(
                path, Message(gettext_noop("File %(id)s has not been uploaded and accepted yet."), id=document_uuid)
            )
            continue
        assert isinstance(item.handler, FileType)
        accept = item.handler.accept_list(item)
        if accept and not accepts(accept, extension=extension_of(name), content_type=content_type):
            cleaner.error(
                path,
                Message(
                    gettext_noop("File %(id)s: accepted file types are %(types)s."),
                    id=document_uuid,
                    types=list(accept),
                ),
            )


def clean_form_data(
    *,
    schema: dict[str, Any],
    data: dict[str, Any],
    workspace: Any,
    require_required: bool,
    file_values: FileValues = "documents",
) -> dict[str, Any]:
    """Validate ``data`` against ``schema`` and return what may be persisted (see the package docstring).

    Raises ``ValidationFailed`` with ``details={"fields": {path: [messages]}}``; paths of nested values look
    like ``section_shareholders_items[0].shareholder_name`` and ``share_allocation[1].shares``.
    """
    if file_values not in ("documents", "file_names"):
        raise ValueError(f"file_values must be 'documents' or 'file_names', not {file_values!r}")
    if not isinstance(data, dict):
        raise ValidationFailed("data must be an object keyed by field key.", details={"fields": {}})
    context = CleanContext(mode=file_values)
    cleaner = Cleaner(compile_schema(schema), require_required=require_required, context=context)
    cleaned = cleaner.walk(data)
    if file_values == "documents":
        _check_documents(context, workspace, cleaner)
    if cleaner.errors:
        message = first_error_message(cleaner.errors)
        raise ValidationFailed(f"Invalid submission data. {message}", details={"fields": cleaner.errors})
    return cleaned
