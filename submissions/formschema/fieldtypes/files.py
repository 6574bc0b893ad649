"""Files: file and signature (an image). A value is a Document uuid, or a file name the caller will upload."""

from __future__ import annotations

import math
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_noop

from submissions.formschema.displaysql import Answer
from submissions.formschema.fieldtypes.base import CleanContext, FieldType, constraints_spec, in_language
from submissions.formschema.sanitize import sanitize_text
from submissions.formschema.schema import Field, Invalid, SchemaErrors


def accepts(accept: list[str] | tuple[str, ...], *, extension: str, content_type: str) -> bool:
    """Whether a file of ``extension`` and ``content_type`` matches an ``accept`` list (``"pdf"``, ``"image/*"``)."""
    for entry in accept:
        entry = entry.lower().strip()
        if "/" in entry:
            if entry == content_type or (entry.endswith("/*") and content_type.startswith(entry[:-1])):
                return True
        elif entry.lstrip(".") == extension or (entry.lstrip(".") in ("jpg", "jpeg") and extension in ("jpg", "jpeg")):
            return True
    return False


class FileType(FieldType):
    name = "file"
    widget = "file"
    column = False
    constraints = frozenset({"accept", "multiple", "maxFiles"})
    default_accept: ClassVar[tuple[str, ...] | None] = None

    def accept_list(self, field: Field) -> list[str] | tuple[str, ...] | None:
        return field.constraints.get("accept") or self.default_accept

    def check_constraints(self, constraints: dict[str, Any], where: str, errors: SchemaErrors) -> None:
        if "accept" in constraints:
            accept = constraints["accept"]
            if not isinstance(accept, list) or not all(isinstance(item, str) and item for item in accept):
                errors.add(f"{where}: constraint 'accept' must be a list of extensions or content types.")

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> str | list[str]:
        multiple = bool(field.constraints.get("multiple"))
        if multiple and not isinstance(value, list):
            raise Invalid(gettext_noop("Must be a list of files."))
        values = value if multiple else [value]
        max_files = min(field.constraints.get("maxFiles", math.inf), settings.UPLOAD_MAX_FILES_PER_FIELD)
        if len(values) > max_files:
            raise Invalid(gettext_noop("At most %(count)s file(s)."), count=max_files)
        context.file_count += len(values)
        if context.file_count > settings.UPLOAD_MAX_FILES_PER_REQUEST:
            raise Invalid(
                gettext_noop("At most %(count)s files per request."), count=settings.UPLOAD_MAX_FILES_PER_REQUEST
            )
        cleaned = [self.clean_one(field, entry, path, context) for entry in values]
        if len(set(cleaned)) != len(cleaned):
            raise Invalid(gettext_noop("The same file is given twice."))
        return cleaned if multiple else cleaned[0]

    def clean_one(self, field: Field, entry: Any, path: str, context: CleanContext) -> str:
        if not isinstance(entry, str) or not entry.strip():
            raise Invalid(
                gettext_noop("Must be a file name.")
                if context.mode == "file_names"
                else gettext_noop("Must be a document id.")
            )
        if context.mode == "file_names":
            return self.clean_name(field, sanitize_text(entry))
        try:
            document_uuid = str(uuid.UUID(entry.strip()))
        except ValueError as exc:
            raise Invalid(gettext_noop("%(value)r is not a document id."), value=entry) from exc
        context.file_refs.append((path, field, document_uuid))
        return document_uuid

    def clean_name(self, field: Field, name: str) -> str:
        """A file name the client will upload: a type of the registry, and one the field accepts."""
        from documents.constants import MAX_FILE_NAME_CHARS
        from documents.filetypes import extension_of, file_type_for_name

        if len(name) > MAX_FILE_NAME_CHARS:
            raise Invalid(gettext_noop("File names are at most %(limit)s characters."), limit=MAX_FILE_NAME_CHARS)
        file_type = file_type_for_name(name)
        if file_type is None:
            raise Invalid(gettext_noop("File type of %(name)r is not accepted."), name=name)
        accept = self.accept_list(field)
        if accept and not accepts(accept, extension=extension_of(name), content_type=file_type.content_type):
            raise Invalid(gettext_noop("%(name)r: accepted file types are %(types)s."), name=name, types=list(accept))
        return name

    def display(self, field: Field, value: Any, language: str | None = None) -> str:
        count = len(value) if isinstance(value, list) else 1
        return in_language(gettext_noop("%(count)s file(s) attached"), language) % {"count": count}

    def display_sql(self, field: Field, answer: Answer) -> str | None:
        count = f"CASE WHEN {answer.kind} = 'array' THEN jsonb_array_length({answer.value}) ELSE 1 END"
        return f"{count} || ' file(s) attached'"

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        accept = self.accept_list(field)
        multiple = bool(field.constraints.get("multiple"))
        return {"multiple": multiple, "accept": list(accept or []), **constraints_spec(field, "maxFiles")}


class SignatureType(FileType):
    """A drawn signature, stored as an image file."""

    name = "signature"
    widget = "signature"
    default_accept = ("png", "jpg", "jpeg", "webp", "gif")
