"""Form schemas and the validation of the data submitted against them: one handler per field type.

This package is the one place that knows what a form schema looks like and what a value of each field type
may be. The submissions API, the public action flow (``workflows``), the admin and the pages use it.

Layout
------
``fieldtypes/``   one handler per field type (``FieldType``: constraints, cleaning, reviewer text, browser spec),
                  registered by name in ``fieldtypes.FIELD_TYPES``
``parse``, ``sections``, ``tables``, ``conditions``, ``compile``   reading a schema into ``schema.CompiledSchema``
``walk``          the one pass over data that decides what is visible; ``clean`` (checks) and the visibility
                  engine (``evaluate_visibility``) share it
``files``         which values of some data are files; ``display`` the reviewer's tree; ``spec`` the browser's
``sanitize``      the string sanitiser

Public interface
----------------
``validate_form_schema(schema)``
    Raise ``config.errors.ValidationFailed`` (``details={"schema": [messages]}``) when the schema is not
    well formed: unknown type, duplicate key, option list missing, condition on a missing field,
    circular condition, bad constraint, ...
``clean_form_data(schema=, data=, workspace=, require_required=, file_values="documents")``
    Type-check ``data`` against the schema, evaluate conditional logic server-side and strip the values of
    hidden fields (also inside repeatable sections and tables), sanitise every string with nh3 (no markup
    survives), reject unknown keys and, when ``require_required``, missing required values. Return the
    cleaned data, ready to persist; raise ``ValidationFailed`` with ``details={"fields": {path: [messages]}}``.
    ``file_values="documents"``: file/signature values are ``documents.Document`` uuids of ``workspace`` whose
    upload was accepted. ``file_values="file_names"``: they are file names, checked against the file-type
    registry (``documents.filetypes``) and the field's ``accept`` list; the caller issues the uploads.
``iter_file_values(schema, data)`` / ``replace_file_values(schema, data, {path: [values]})``
    ``(path, field_key, value)`` for every file/signature value of cleaned data, repeat rows included; and
    the same values replaced in place (a public action puts its document links there). ``file_field_keys``
    lists the file fields of a schema.
``visible_fields(schema, data)``
    What the form shows for ``data``: ``{"sections": [ids], "fields": [keys and repeat-row paths]}``.
``display_data(schema, data)``
    The reviewer's tree of the stored answers (see ``display``); ``display_attach_files`` resolves its file
    references for a page, ``display_diff(before, after, text)`` compares two trees line by line (``diff``).
``render_spec(schema)``
    What a browser needs to render and check the form (see ``spec``).
``sanitize_text(value)`` / ``sanitize_value(value)``
    The string sanitiser, for strings that do not belong to a form (metadata, notes).

Schema format
-------------
::

    {
      "fields":   [<field>, ...],      # top-level fields, in display order
      "sections": [<section>, ...]     # optional
    }

    <field> = {
      "key": "full_name",              # [A-Za-z][A-Za-z0-9_]{0,63}, unique in the whole form; data is keyed by it
      "label": "Full name",
      "type": "text",                  # one of FIELD_TYPES below
      "required": false,               # optional, default false
      "options": [{"value": "pep", "label": "Politically exposed"}, ...],
                                       # select, radio, checkbox, multiselect (required for them, unique values)
      "constraints": {...},            # optional, per type, see CONSTRAINTS
      "condition": <condition>,        # optional: the field is shown (and kept) only when it holds
      "columns": [<column>, ...],      # table_fill only (required there)
      "placeholder": "...", "helpText": "...", "description": "..."   # display only
    }

    <section> = {
      "id": "section_shareholders",    # same format as a key
      "title": "Shareholders",
      "repeatable": true,              # optional, default false
      "fields": [<field>, ...],        # no table_fill inside a repeatable section
      "condition": <condition>,        # optional: hides every field of the section
      "minItems": 1, "maxItems": 20,   # repeatable only, optional
      "description": "..."             # display only
    }

    <column> = {"key": "shares", "label": "Shares", "type": "number", "required": false,
                "options": [...], "constraints": {...}, "sourceField": "shareholder_name"}

    <condition> = {"field": "<key>", "operator": "equals", "value": <any>}
                | {"all": [<condition>, ...]}  | {"any": [<condition>, ...]}

Storage: a field's value is stored under its key. The fields of a non-repeatable section are stored at the
top level like any other field. A repeatable section's values are a list of row objects stored under
``{sectionId}_items``, each row keyed by the section's field keys. A ``table_fill`` value is a list of row
objects keyed by column key. Value shapes per type:

=============================================================================  ======================
text, email, tel, url, textarea, date, time, datetime, select, radio, country  string
number, currency, rating                                                       number
checkbox, multiselect                                                          list of option values
yesno                                                                          boolean
file, signature                                                                Document uuid string
                                                                               (list of them when
                                                                               ``constraints.multiple``)
table_fill, repeatable section items                                           list of row objects
=============================================================================  ======================

``date`` is ``YYYY-MM-DD``, ``time`` ``HH:MM[:SS]``, ``datetime`` ISO 8601; ``country`` an ISO 3166-1
alpha-2 code (pycountry's list; lower case is accepted and stored upper case); ``rating`` an integer in
1..5 unless ``constraints.min``/``max`` say otherwise. ``null`` and ``""`` mean "no answer" and are not stored.

Constraints (all optional): text/textarea/email/tel/url ``minLength``, ``maxLength``, ``pattern`` (a regular
expression the whole value must match); number/currency ``min``, ``max``, ``integer``; rating ``min``,
``max``; date/time/datetime ``min``, ``max`` (ISO strings); checkbox/multiselect ``minSelected``,
``maxSelected``; file/signature ``accept`` (extensions like ``"pdf"`` or content types like
``"image/*"``), ``multiple``, ``maxFiles``; table_fill ``minRows``, ``maxRows``.

Conditions: operators ``equals``, ``not_equals``, ``in``, ``not_in``, ``greater_than``, ``less_than``,
``empty``, ``not_empty`` (camelCase spellings such as ``notEquals`` are accepted). ``in``/``not_in`` take a
list. On a list value (checkbox, multiselect) ``equals`` means "contains" and ``in`` "shares a value with".
A hidden or missing field has no value: ``equals``, ``in``, ``greater_than``, ``less_than`` and ``not_empty``
are false for it. A condition names a top-level field (or a field of a non-repeatable section); a field of a
repeatable section may also name a field of its own section, evaluated row by row. Conditions are evaluated
in dependency order, so a field that depends on a hidden field sees no value; cycles are refused.

Table columns with ``sourceField`` (a field of a repeatable section; all source columns of one table name the
same section) are filled by the server: the table has one row per item of that section and the source
columns take the item's value, whatever the client sent there.
"""

from __future__ import annotations

from typing import Any

from submissions.formschema.clean import clean_form_data
from submissions.formschema.compile import compile_schema
from submissions.formschema.diff import DiffLine, display_diff
from submissions.formschema.display import (
    DisplaySection,
    DisplayTable,
    DisplayValue,
    display_attach_files,
    display_data,
)
from submissions.formschema.fieldtypes import FIELD_TYPES
from submissions.formschema.fieldtypes.base import FileValues
from submissions.formschema.files import (
    document_uuids,
    file_field_at,
    file_field_keys,
    iter_file_values,
    replace_file_values,
)
from submissions.formschema.sanitize import sanitize_text, sanitize_value
from submissions.formschema.schema import KEY_PATTERN
from submissions.formschema.spec import render_spec
from submissions.formschema.walk import evaluate_visibility

__all__ = [
    "document_uuids",
    "FIELD_TYPES",
    "KEY_PATTERN",
    "DiffLine",
    "DisplaySection",
    "DisplayTable",
    "DisplayValue",
    "FileValues",
    "clean_form_data",
    "display_attach_files",
    "display_data",
    "display_diff",
    "file_field_keys",
    "file_field_at",
    "form_default_language",
    "iter_file_values",
    "render_spec",
    "replace_file_values",
    "sanitize_text",
    "sanitize_value",
    "validate_form_schema",
    "visible_fields",
]


def validate_form_schema(schema: dict[str, Any]) -> None:
    """Raise ``ValidationFailed`` (code ``INVALID_FORM_SCHEMA``) unless ``schema`` is a well-formed form schema."""
    compile_schema(schema)


def form_default_language(schema: dict[str, Any]) -> str:
    """The language a schema's own texts are written in (``defaultLanguage``, English unless it says)."""
    return compile_schema(schema).default_language


def visible_fields(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    """The sections and fields ``schema`` shows for ``data`` (the conditions the server enforces on submit)."""
    shown = evaluate_visibility(compile_schema(schema), data)
    return {"sections": shown.sections, "fields": shown.fields}
