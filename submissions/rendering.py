"""The one renderer of a form version for end-client pages: bound widgets from a form's ``render_spec``.

``bind_form(spec, values=, errors=, prefix=)`` turns the browser spec into what ``templates/forms/form.html``
renders: every field with its input name (``prefix`` + its data path), id, current value, options and errors,
sections with their repeat rows and a row template, tables as grids. ``values_from_post(spec, post, prefix=)``
reads the same names back from a plain form POST (the page without JavaScript). The page's scripts
(``static/js/formengine.js``, ``formrender.js``) use the same names and data paths; the rules stay on the server.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from config.messages import localized_errors

ROW_PLACEHOLDER = "__INDEX__"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_TEXT_WIDGETS = frozenset({"text", "email", "tel", "url", "date", "time", "datetime", "textarea", "select", "radio"})
_HTML_TYPES = {"datetime": "datetime-local", "currency": "number"}
FILE_WIDGETS = frozenset({"file", "signature"})
_GROUP_WIDGETS = frozenset({"radio", "checkboxes", "multiselect", "yesno", "rating"})
# Inputs a browser may fill from what it knows of the client (WCAG 1.3.5), by the usual field keys.
_AUTOCOMPLETE = {"first_name": "given-name", "last_name": "family-name", "full_name": "name", "email": "email"}


def _dom_id(name: str) -> str:
    return "f-" + _ID_UNSAFE.sub("-", name).strip("-")


@dataclass
class BoundField:
    """One widget: the spec's field plus where it sits (``path``, ``name``, ``id``), its value and its errors."""

    spec: dict[str, Any]
    path: str  # the data path the server's errors and the condition engine use: key, items[0].key, table[0].col
    name: str  # the input's name: the form's prefix + path
    value: Any = None
    errors: list[str] = field(default_factory=list)
    rows: list[list[BoundField]] = field(default_factory=list)  # table_fill
    template_row: list[BoundField] = field(default_factory=list)  # table_fill: what "Add a row" clones
    cell: bool = False  # a table cell: labelled by its column header
    file_names: Mapping[str, str] = field(default_factory=dict)  # document id -> name, of files already uploaded
    source_title: str = ""  # a table filled from a repeatable section: that section's title, to name it

    @property
    def kept_files(self) -> list[dict[str, str]]:
        """The uploaded files this file or signature field holds (a resumed draft's): id and name each."""
        if self.widget not in FILE_WIDGETS:
            return []
        values = self.value if isinstance(self.value, list) else [self.value]
        return [{"id": str(v), "name": self.file_names[str(v)]} for v in values if str(v) in self.file_names]

    @property
    def id(self) -> str:
        return _dom_id(self.name)

    @property
    def widget(self) -> str:
        return str(self.spec["widget"])

    @property
    def html_type(self) -> str:
        return _HTML_TYPES.get(self.widget, self.widget)

    @property
    def template(self) -> str:
        return f"forms/widgets/{self.widget}.html"

    @property
    def step(self) -> str:
        return "1" if self.spec.get("integer") else "any"

    @property
    def options(self) -> list[dict[str, Any]]:
        chosen = self.value if isinstance(self.value, list) else [self.value]
        return [{**option, "checked": option["value"] in chosen} for option in self.spec.get("options", [])]

    @property
    def rating_choices(self) -> list[dict[str, Any]]:
        low, high = int(self.spec.get("min", 1)), int(self.spec.get("max", 5))
        return [{"value": n, "checked": self.value == n} for n in range(low, min(high, low + 20) + 1)]

    @property
    def accept(self) -> str:
        return ",".join(item if "/" in item else f".{item}" for item in self.spec.get("accept", []))

    @property
    def is_group(self) -> bool:
        """Several inputs under one legend (a fieldset) rather than one labelled input."""
        return self.widget in _GROUP_WIDGETS and not self.cell

    @property
    def max_bytes(self) -> int:
        return int(settings.UPLOAD_DEFAULT_MAX_BYTES)

    @property
    def hint(self) -> str:
        """The limits a client should know before answering, in words."""
        spec = self.spec
        if self.widget == "file":
            kinds = ", ".join(item.upper() if "/" not in item else item for item in spec.get("accept", []))
            size = filesizeformat(self.max_bytes)
            return (
                _("%(kinds)s up to %(size)s each.") % {"kinds": kinds, "size": size}
                if kinds
                else _("Up to %(size)s each.") % {"size": size}
            )
        low, high = spec.get("min"), spec.get("max")
        if self.widget in ("number", "currency") and low is not None and high is not None:
            return _("Between %(low)s and %(high)s.") % {"low": low, "high": high}
        if self.widget in ("number", "currency", "date") and low is not None:
            return _("At least %(low)s.") % {"low": low}
        if self.widget in ("number", "currency", "date") and high is not None:
            return _("At most %(high)s.") % {"high": high}
        return ""

    @property
    def autocomplete(self) -> str:
        return _AUTOCOMPLETE.get(str(self.spec.get("key")), "")

    @property
    def column_fields(self) -> list[dict[str, Any]]:
        return list(self.spec.get("columns", []))


@dataclass
class BoundSection:
    spec: dict[str, Any]
    fields: list[BoundField]  # a plain section's fields
    rows: list[list[BoundField]] = field(default_factory=list)  # a repeatable section's rows
    template_row: list[BoundField] = field(default_factory=list)  # what "Add" clones (index ROW_PLACEHOLDER)
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.spec["id"])


@dataclass
class BoundForm:
    prefix: str
    fields: list[BoundField]
    sections: list[BoundSection]
    spec: dict[str, Any]
    errors: list[str] = field(default_factory=list)  # errors of the form as a whole (path "")

    @property
    def dom_id(self) -> str:
        return _dom_id(self.prefix or "root") + "-form"

    def all_fields(self) -> Iterator[BoundField]:
        """Every widget of the form: fields, section fields, repeat rows' fields and table cells."""
        rows = [field for section in self.sections for row in section.rows for field in row]
        for bound in [*self.fields, *(f for section in self.sections for f in section.fields), *rows]:
            yield bound
            yield from (cell for row in bound.rows for cell in row)

    def error_summary(self, errors: dict[str, list[str]]) -> list[dict[str, str]]:
        """The list at the top of the page: each message in words with its field's label, linking to the field."""
        errors = localized_errors(errors)
        summary, placed = [], set()
        entries = {  # a repeat row's field is named with its entry: "Shareholders 2: Name is required."
            bound.path: f"{section.spec['title']} {number}: "
            for section in self.sections
            for number, row in enumerate(section.rows, start=1)
            for bound in row
        }
        for bound in self.all_fields():
            placed.add(bound.path)
            for message in bound.errors:
                label = str(bound.spec["label"])
                text = message if message.startswith(label) else f"{label}: {message}"
                summary.append({"href": f"#{bound.id}", "message": entries.get(bound.path, "") + text})
        for section in self.sections:
            if section.spec.get("repeatable"):
                placed.add(section.spec["itemsKey"])
                summary += [
                    {
                        "href": f"#{self.dom_id}-{section.spec['itemsKey']}-error",
                        "message": f"{section.spec['title']}: {m}",
                    }
                    for m in section.errors
                ]
        summary += [{"href": "", "message": m} for path, ms in errors.items() if path not in placed for m in ms]
        return summary


def bind_form(
    spec: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    prefix: str = "",
    file_names: Mapping[str, str] | None = None,
) -> BoundForm:
    """The widgets of ``spec`` holding ``values``, with the server's ``errors`` (by data path) beside each, in the
    active language (``config.messages``).

    ``file_names`` names the uploaded documents file fields may hold (by id): those are shown as kept files.
    """
    values, errors, names = values or {}, localized_errors(errors or {}), file_names or {}
    titles = {str(section["id"]): str(section.get("title") or "") for section in spec.get("sections", [])}

    def bind(item: dict[str, Any], path: str, value: Any) -> BoundField:
        bound = BoundField(
            spec=item, path=path, name=prefix + path, value=value, errors=errors.get(path, []), file_names=names
        )
        if item["widget"] == "table":
            bound.source_title = titles.get(str(item.get("sourceSection") or ""), "")
            rows = value if isinstance(value, list) else []
            count = max(len(rows), int(item.get("minRows", 0) or 0), 0 if item.get("sourceSection") else 1)

            def cells(index: Any, row: Any) -> list[BoundField]:
                row = row if isinstance(row, dict) else {}
                return [
                    BoundField(
                        spec=column,
                        path=f"{path}[{index}].{column['key']}",
                        name=f"{prefix}{path}[{index}].{column['key']}",
                        value=row.get(column["key"]),
                        errors=errors.get(f"{path}[{index}].{column['key']}", []),
                        cell=True,
                    )
                    for column in item["columns"]
                ]

            bound.rows = [cells(i, rows[i] if i < len(rows) else {}) for i in range(count)]
            bound.template_row = cells(ROW_PLACEHOLDER, {})
        return bound

    sections = []
    for section in spec.get("sections", []):
        if not section.get("repeatable"):
            fields = [bind(item, item["key"], values.get(item["key"])) for item in section["fields"]]
            sections.append(BoundSection(spec=section, fields=fields))
            continue
        items_key = section["itemsKey"]
        given = values.get(items_key)
        items: list[Any] = given if isinstance(given, list) else []
        count = max(len(items), int(section.get("minItems", 0) or 0))

        def row(index: Any, item_values: dict[str, Any], section: dict[str, Any] = section) -> list[BoundField]:
            key = section["itemsKey"]
            return [
                bind(item, f"{key}[{index}].{item['key']}", item_values.get(item["key"])) for item in section["fields"]
            ]

        rows = [row(i, items[i] if i < len(items) and isinstance(items[i], dict) else {}) for i in range(count)]
        sections.append(
            BoundSection(
                spec=section,
                fields=[],
                rows=rows,
                template_row=row(ROW_PLACEHOLDER, {}),
                errors=errors.get(items_key, []),
            )
        )
    return BoundForm(
        prefix=prefix,
        fields=[bind(item, item["key"], values.get(item["key"])) for item in spec.get("fields", [])],
        sections=sections,
        spec=spec,
        errors=errors.get("", []),
    )


# --- Reading a plain POST back ---------------------------------------------------------------------


def _document_ids(values: list[str]) -> list[str]:
    ids = []
    for value in values:
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return ids


def _read(item: dict[str, Any], post: QueryDict, name: str, files: bool | str = False) -> Any:
    """One field's answer from the POST, typed as the API takes it; None for no answer.

    A file is never read from a POST (files go straight to S3 with the page's script); with ``files`` the name a
    browser posts for a chosen file in a plain form counts as the answer (the preview checks the rules only); with
    ``files="documents"`` the ids of files already uploaded (a resumed draft's kept files) do.
    """
    widget = item["widget"]
    if widget in ("checkboxes", "multiselect"):
        return post.getlist(name) or None
    raw = post.get(name, "")
    if widget in FILE_WIDGETS:
        if files == "documents":
            ids = _document_ids(post.getlist(name))
            return (ids if item.get("multiple") else ids[0]) if ids else None
        if not files:
            return None
        return (post.getlist(name) if item.get("multiple") else raw) or None
    if raw == "":
        return None
    if widget == "yesno":
        return {"true": True, "false": False}.get(raw, raw)
    if widget in ("number", "currency", "rating"):
        try:
            number = float(raw)
        except ValueError:
            return raw  # the server says what is wrong with it
        return int(number) if number.is_integer() and (item.get("integer") or widget == "rating") else number
    return raw


def _row_count(post: QueryDict, name: str) -> int:
    pattern = re.compile(re.escape(name) + r"\[(\d+)\]\.")
    indexes = [int(match.group(1)) for key in post for match in [pattern.match(key)] if match]
    return max(indexes) + 1 if indexes else 0


def _rows(columns: list[dict[str, Any]], post: QueryDict, name: str, files: bool | str = False) -> list[dict[str, Any]]:
    rows = []
    for i in range(min(_row_count(post, name), 500)):
        row = {
            column["key"]: value
            for column in columns
            if not column.get("sourceField")
            and (value := _read(column, post, f"{name}[{i}].{column['key']}", files)) is not None
        }
        rows.append(row)
    return rows


def values_from_post(
    spec: dict[str, Any], post: QueryDict, *, prefix: str = "", files: bool | str = False
) -> dict[str, Any]:
    """The data a plain form POST of ``bind_form``'s widgets holds (empty answers left out, rows in order).

    ``files``: see ``_read`` (False: no file answers; True: chosen file names; ``"documents"``: kept file ids).
    """
    data: dict[str, Any] = {}
    plain = [
        *spec.get("fields", []),
        *(f for s in spec.get("sections", []) if not s.get("repeatable") for f in s["fields"]),
    ]
    for item in plain:
        name = prefix + item["key"]
        if item["widget"] == "table":
            rows = _rows(item["columns"], post, name)
            value: Any = rows if any(rows) else None
        else:
            value = _read(item, post, name, files)
        if value is not None:
            data[item["key"]] = value
    for section in spec.get("sections", []):
        if section.get("repeatable"):
            rows = _rows(section["fields"], post, prefix + section["itemsKey"], files)  # a blank row gets its errors
            if rows:
                data[section["itemsKey"]] = rows
    return data


# --- What the page scripts say ---------------------------------------------------------------------


def page_strings() -> dict[str, str]:
    """The end-client page scripts' sentences, translated like the rest of the page (``%(name)s`` placeholders)."""
    return {
        "counter": _("%(used)s of %(limit)s characters"),
        "removeFile": _("Remove"),
        "wrongType": _("%(name)s is not a file type this field accepts."),
        "tooLarge": _("%(name)s is %(size)s; the limit is %(limit)s."),
        "emptyFile": _("%(name)s is empty."),
        "sending": _("Sending your answers…"),
        "uploading": _("Uploading your files…"),
        "checking": _("Checking your files…"),
        "failedUploads": _("Some files could not be uploaded. Retry them in the list above."),
        "pendingFiles": _("Some files are still needed. Choose them again in the list above and upload them."),
        "network": _("The connection failed. Please check your internet connection and try again."),
        "summaryEntity": _("%(kind)s %(number)s"),
        "company": _("Company"),
        "individual": _("Person"),
        "you": _("You (the main applicant)"),
        "waiting": _("Waiting"),
        "uploadingFile": _("Uploading %(percent)s%%"),
        "done": _("Uploaded"),
        "failed": _("Failed: %(reason)s"),
        "notAccepted": _("Not accepted: %(reason)s"),
        "notReceived": _("Not received yet"),
        "retry": _("Retry"),
        "chooseAgain": _("Choose the file again"),
        "upload": _("Upload"),
        "reason_not_received": _("not received"),
        "reason_too_large": _("too large"),
        "reason_wrong_size": _("not the size announced"),
        "reason_wrong_type": _("this file type is not accepted"),
        "reason_content_check_failed": _("its content is not the file type its name says"),
        "limit": _("the limit is %(limit)s"),
        "missingFile": _("Please choose this file again."),
    }
