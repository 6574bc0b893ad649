"""The schema + data validation engine, called directly: it is a module other apps use, not an endpoint."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from config.errors import ValidationFailed
from documents.constants import DocumentStatus
from submissions.formschema import (
    clean_form_data,
    file_field_keys,
    iter_file_values,
    sanitize_text,
    validate_form_schema,
)
from tests.documents.factories import UploadedDocumentFactory
from tests.submissions.schemas import SEED_FORM_SCHEMA, SEED_SUBMISSION_DATA

OPTIONS = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]


def one_field(ftype: str, **extra: Any) -> dict[str, Any]:
    return {"fields": [{"key": "f", "label": "F", "type": ftype, **extra}]}


def clean(schema: dict[str, Any], data: dict[str, Any], *, required: bool = False, **kwargs: Any) -> dict[str, Any]:
    return clean_form_data(
        schema=schema, data=data, workspace=kwargs.pop("workspace", None), require_required=required, **kwargs
    )


def field_errors(schema: dict[str, Any], data: dict[str, Any], **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as excinfo:
        clean(schema, data, **kwargs)
    assert excinfo.value.code == "VALIDATION_ERROR"
    return excinfo.value.details["fields"]


def schema_error(schema: Any) -> str:
    with pytest.raises(ValidationFailed) as excinfo:
        validate_form_schema(schema)
    assert excinfo.value.code == "INVALID_FORM_SCHEMA"
    return " ".join(excinfo.value.details["schema"])


# --- Schema validation -----------------------------------------------------------------------------


def test_the_seed_form_is_a_valid_schema() -> None:
    validate_form_schema(SEED_FORM_SCHEMA)


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (one_field("colour"), "unknown field type 'colour'"),
        ({"fields": [{"key": "a", "type": "text"}, {"key": "a", "type": "number"}]}, "duplicate field key 'a'"),
        (
            {
                "fields": [{"key": "a", "type": "text"}],
                "sections": [{"id": "s", "fields": [{"key": "a", "type": "text"}]}],
            },
            "duplicate field key 'a'",
        ),
        (
            {
                "fields": [
                    {"key": "a", "type": "text", "condition": {"field": "ghost", "operator": "equals", "value": 1}}
                ]
            },
            "condition on a missing field 'ghost'",
        ),
        (
            {
                "fields": [
                    {"key": "a", "type": "text", "condition": {"field": "b", "operator": "not_empty"}},
                    {"key": "b", "type": "text", "condition": {"field": "a", "operator": "not_empty"}},
                ]
            },
            "circular condition",
        ),
        (
            {"fields": [{"key": "a", "type": "text", "condition": {"field": "a", "operator": "empty"}}]},
            "circular condition",
        ),
        (
            {
                "fields": [{"key": "x", "type": "yesno"}],
                "sections": [
                    {
                        "id": "s",
                        "condition": {"field": "inner", "operator": "not_empty"},
                        "fields": [{"key": "inner", "type": "text"}],
                    }
                ],
            },
            "circular condition",
        ),
        (one_field("select"), "needs a non-empty 'options' list"),
        (one_field("select", options=[{"value": "a", "label": "A"}, {"value": "a", "label": "A"}]), "duplicate option"),
        (one_field("text", constraints={"min": 1}), "do not apply to type 'text'"),
        (one_field("text", constraints={"pattern": "("}), "not a valid regular expression"),
        (one_field("number", constraints={"min": 5, "max": 1}), "'min' is greater than 'max'"),
        (one_field("text", condition={"field": "f", "operator": "resembles", "value": 1}), "unknown operator"),
        (one_field("text", condition={"all": []}), "non-empty list"),
        (one_field("text", colour="red"), "unknown attribute"),
        ({"fields": [{"key": "1bad", "type": "text"}]}, "'key' must match"),
        ({"fields": []}, "at least one field"),
        ([], "must be an object"),
        (one_field("table_fill"), "needs a non-empty 'columns' list"),
        (
            one_field("table_fill", columns=[{"key": "c", "type": "text", "sourceField": "nowhere"}]),
            "is not a field of a repeatable section",
        ),
        (
            {
                "fields": [],
                "sections": [
                    {
                        "id": "s",
                        "repeatable": True,
                        "fields": [one_field("table_fill", columns=[{"key": "c", "type": "text"}])["fields"][0]],
                    }
                ],
            },
            "cannot hold a table_fill",
        ),
        (
            {
                "fields": [{"key": "top", "type": "text", "condition": {"field": "inner", "operator": "not_empty"}}],
                "sections": [{"id": "s", "repeatable": True, "fields": [{"key": "inner", "type": "text"}]}],
            },
            "a field of repeatable section 's'",
        ),
        (
            {
                "fields": [{"key": "s_items", "type": "text"}],
                "sections": [{"id": "s", "repeatable": True, "fields": [{"key": "x", "type": "text"}]}],
            },
            "duplicate field key 's_items'",
        ),
    ],
)
def test_invalid_schemas_are_refused_with_a_clear_message(schema: Any, message: str) -> None:
    assert message in schema_error(schema)


def test_conditions_combine_all_and_any_and_accept_camel_case_operators() -> None:
    validate_form_schema(
        {
            "fields": [
                {"key": "a", "type": "number"},
                {"key": "b", "type": "text"},
                {
                    "key": "c",
                    "type": "text",
                    "condition": {
                        "any": [
                            {
                                "all": [
                                    {"field": "a", "operator": "greaterThan", "value": 3},
                                    {"field": "b", "operator": "isNotEmpty"},
                                ]
                            },
                            {"field": "b", "operator": "in", "value": ["x", "y"]},
                        ]
                    },
                },
            ]
        }
    )


# --- Value shapes per field type ---------------------------------------------------------------------

VALID_VALUES: list[tuple[str, dict[str, Any], Any, Any]] = [
    ("text", {}, "hello", "hello"),
    ("textarea", {}, "line 1\nline 2", "line 1\nline 2"),
    ("email", {}, "jane@example.com", "jane@example.com"),
    ("tel", {}, "+44 20 7946 0958", "+44 20 7946 0958"),
    ("url", {}, "https://example.com/a?b=c", "https://example.com/a?b=c"),
    ("date", {}, "2026-02-12", "2026-02-12"),
    ("time", {}, "09:15", "09:15"),
    ("datetime", {}, "2026-02-12T09:15:00Z", "2026-02-12T09:15:00Z"),
    ("select", {"options": OPTIONS}, "a", "a"),
    ("radio", {"options": OPTIONS}, "b", "b"),
    ("country", {}, "US", "US"),
    ("country", {}, "gb", "GB"),
    ("number", {}, 12.5, 12.5),
    ("number", {}, -3, -3),
    ("currency", {}, 1999.99, 1999.99),
    ("rating", {}, 4, 4),
    ("rating", {"constraints": {"max": 10}}, 9, 9),
    ("checkbox", {"options": OPTIONS}, ["a", "b"], ["a", "b"]),
    ("multiselect", {"options": OPTIONS}, ["b"], ["b"]),
    ("checkbox", {"options": OPTIONS}, [], []),
    ("yesno", {}, True, True),
    ("yesno", {}, False, False),
]


@pytest.mark.parametrize(("ftype", "extra", "value", "stored"), VALID_VALUES)
def test_valid_values_are_stored_in_their_shape(ftype: str, extra: dict[str, Any], value: Any, stored: Any) -> None:
    assert clean(one_field(ftype, **extra), {"f": value}) == {"f": stored}


INVALID_VALUES: list[tuple[str, dict[str, Any], Any]] = [
    ("text", {}, 42),
    ("text", {}, ["a"]),
    ("text", {"constraints": {"maxLength": 3}}, "abcd"),
    ("text", {"constraints": {"minLength": 3}}, "ab"),
    ("text", {"constraints": {"pattern": "[A-Z]{2}[0-9]+"}}, "gb123"),
    ("text", {}, "x" * 1001),
    ("email", {}, "not-an-email"),
    ("tel", {}, "call me"),
    ("url", {}, "javascript:alert(1)"),
    ("url", {}, "ftp://example.com"),
    ("date", {}, "12/02/2026"),
    ("date", {}, "2026-02-30"),
    ("date", {"constraints": {"min": "2026-01-01"}}, "2025-12-31"),
    ("time", {}, "25:00"),
    ("datetime", {}, "yesterday"),
    ("select", {"options": OPTIONS}, "c"),
    ("select", {"options": OPTIONS}, ["a"]),
    ("radio", {"options": OPTIONS}, "A"),
    ("country", {}, "XX"),
    ("country", {}, "USA"),
    ("number", {}, "12"),
    ("number", {}, True),
    ("number", {"constraints": {"max": 10}}, 11),
    ("number", {"constraints": {"integer": True}}, 1.5),
    ("currency", {}, "10.00"),
    ("rating", {}, 6),
    ("rating", {}, 0),
    ("rating", {}, 3.5),
    ("checkbox", {"options": OPTIONS}, "a"),
    ("checkbox", {"options": OPTIONS}, ["a", "zzz"]),
    ("multiselect", {"options": OPTIONS}, ["a", "a"]),
    ("multiselect", {"options": OPTIONS, "constraints": {"maxSelected": 1}}, ["a", "b"]),
    ("yesno", {}, "yes"),
    ("yesno", {}, 1),
    ("file", {}, "not-a-uuid"),
    ("file", {}, 7),
    ("signature", {}, {"data": "x"}),
]


@pytest.mark.parametrize(("ftype", "extra", "value"), INVALID_VALUES)
def test_invalid_values_are_refused_under_their_key(ftype: str, extra: dict[str, Any], value: Any) -> None:
    errors = field_errors(one_field(ftype, **extra), {"f": value})
    assert list(errors) == ["f"]
    assert errors["f"][0]


def test_null_and_empty_string_mean_no_answer() -> None:
    schema = {
        "fields": [
            {"key": "a", "type": "text"},
            {"key": "b", "type": "number"},
            {"key": "c", "type": "select", "options": OPTIONS},
        ]
    }
    assert clean(schema, {"a": "", "b": None, "c": "  "}) == {}


def test_unknown_keys_are_refused() -> None:
    errors = field_errors(SEED_FORM_SCHEMA, {**SEED_SUBMISSION_DATA, "favourite_colour": "red"})
    assert errors == {"favourite_colour": ["Unknown field."]}


def test_required_fields_only_when_asked() -> None:
    assert clean(SEED_FORM_SCHEMA, {"full_name": "Jane"}) == {"full_name": "Jane"}
    errors = field_errors(SEED_FORM_SCHEMA, {"full_name": "Jane"}, required=True)
    assert errors["email"] == ["Email is required."]
    assert errors["section_shareholders_items"] == ["At least one item is required."]


def test_the_seed_example_round_trips_unchanged() -> None:
    assert clean(SEED_FORM_SCHEMA, copy.deepcopy(SEED_SUBMISSION_DATA), required=True) == SEED_SUBMISSION_DATA


def test_all_errors_are_reported_at_once_with_nested_paths() -> None:
    data = copy.deepcopy(SEED_SUBMISSION_DATA)
    data["email"] = "nope"
    data["section_shareholders_items"][1]["shareholder_name"] = 5
    data["section_shareholders_items"][0]["nickname"] = "B"
    data["share_allocation"][0]["shares"] = -1
    errors = field_errors(SEED_FORM_SCHEMA, data)
    assert set(errors) == {
        "email",
        "section_shareholders_items[1].shareholder_name",
        "section_shareholders_items[0].nickname",
        "share_allocation[0].shares",
    }


# --- Sanitising --------------------------------------------------------------------------------------

HOSTILE = [
    ("<script>alert(1)</script>Jane", "Jane"),
    ("<img src=x onerror=alert(1)>Jane", "Jane"),
    ("<b>Jane</b>", "Jane"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;Jane", "Jane"),
    ("&amp;lt;b&amp;gt;Jane", "Jane"),
    ("<<b>b>Jane", "Jane"),
    ('<a href="javascript:alert(1)">Jane</a>', "Jane"),
    ("<!-- hidden -->Jane", "Jane"),
    ("Jane\x00\x07", "Jane"),
    ("Tom & Jerry", "Tom & Jerry"),
    ("a < b and c > d", "a < b and c > d"),
    ('O\'Brien "quoted"', 'O\'Brien "quoted"'),
]


@pytest.mark.parametrize(("hostile", "stored"), HOSTILE)
def test_no_markup_survives_sanitising(hostile: str, stored: str) -> None:
    assert sanitize_text(hostile) == stored
    cleaned = clean(one_field("textarea"), {"f": hostile})
    assert cleaned.get("f", "") == stored
    assert "<script" not in cleaned.get("f", "") and "<b>" not in cleaned.get("f", "")


def test_strings_inside_sections_and_tables_are_sanitised() -> None:
    data = copy.deepcopy(SEED_SUBMISSION_DATA)
    data["section_shareholders_items"][0]["shareholder_address"] = "<i>1 Main</i> St<script>x()</script>"
    cleaned = clean(SEED_FORM_SCHEMA, data)
    assert cleaned["section_shareholders_items"][0]["shareholder_address"] == "1 Main St"


# --- Conditional logic ---------------------------------------------------------------------------------

CONDITIONAL = {
    "fields": [
        {"key": "is_company", "type": "yesno"},
        {
            "key": "company_name",
            "type": "text",
            "required": True,
            "condition": {"field": "is_company", "operator": "equals", "value": True},
        },
        # Depends on a field that may itself be hidden: sees no value then.
        {"key": "company_vat", "type": "text", "condition": {"field": "company_name", "operator": "not_empty"}},
        {"key": "revenue", "type": "currency"},
        {
            "key": "big_explain",
            "type": "textarea",
            "condition": {
                "all": [
                    {"field": "is_company", "operator": "equals", "value": True},
                    {"field": "revenue", "operator": "greater_than", "value": 1000000},
                ]
            },
        },
        {
            "key": "flags",
            "type": "multiselect",
            "options": [{"value": "pep", "label": "PEP"}, {"value": "x", "label": "X"}],
        },
        {"key": "pep_detail", "type": "text", "condition": {"field": "flags", "operator": "equals", "value": "pep"}},
        {"key": "kind", "type": "select", "options": OPTIONS},
        {
            "key": "not_a",
            "type": "text",
            "condition": {"any": [{"field": "kind", "operator": "not_in", "value": ["a"]}]},
        },
    ],
    "sections": [
        {
            "id": "owners",
            "repeatable": True,
            "condition": {"field": "is_company", "operator": "equals", "value": True},
            "fields": [
                {
                    "key": "owner_type",
                    "type": "radio",
                    "options": [{"value": "person", "label": "P"}, {"value": "entity", "label": "E"}],
                },
                {"key": "owner_name", "type": "text", "required": True},
                {
                    "key": "owner_reg",
                    "type": "text",
                    "condition": {"field": "owner_type", "operator": "equals", "value": "entity"},
                },
                {
                    "key": "owner_tax",
                    "type": "text",
                    "condition": {"field": "revenue", "operator": "less_than", "value": 10},
                },
            ],
        },
        {
            "id": "extra",
            "condition": {"field": "kind", "operator": "equals", "value": "b"},
            "fields": [{"key": "extra_note", "type": "text", "required": True}],
        },
    ],
}


def test_hidden_fields_are_stripped_and_dependants_see_no_value() -> None:
    data = {"is_company": False, "company_name": "Acme", "company_vat": "GB1", "revenue": 5_000_000, "big_explain": "x"}
    assert clean(CONDITIONAL, data, required=True) == {"is_company": False, "revenue": 5_000_000}


def test_visible_fields_are_kept_and_required_when_visible() -> None:
    data = {"is_company": True, "company_name": "Acme", "company_vat": "GB1", "revenue": 5_000_000, "big_explain": "x"}
    assert clean(CONDITIONAL, data) == data
    errors = field_errors(CONDITIONAL, {"is_company": True}, required=True)
    assert "company_name" in errors


def test_equals_on_a_list_means_contains_and_not_in() -> None:
    assert clean(CONDITIONAL, {"flags": ["x"], "pep_detail": "d"}) == {"flags": ["x"]}
    assert clean(CONDITIONAL, {"flags": ["x", "pep"], "pep_detail": "d"}) == {"flags": ["x", "pep"], "pep_detail": "d"}
    assert clean(CONDITIONAL, {"kind": "a", "not_a": "t"}) == {"kind": "a"}
    assert clean(CONDITIONAL, {"not_a": "t"}) == {"not_a": "t"}  # missing is "not in"


def test_conditions_inside_repeatable_sections_are_evaluated_per_item() -> None:
    data = {
        "is_company": True,
        "company_name": "Acme",
        "revenue": 100,
        "owners_items": [
            {"owner_type": "person", "owner_name": "Bob", "owner_reg": "123", "owner_tax": "t"},
            {"owner_type": "entity", "owner_name": "Holdco", "owner_reg": "456"},
        ],
    }
    cleaned = clean(CONDITIONAL, data, required=True)
    assert cleaned["owners_items"] == [
        {"owner_type": "person", "owner_name": "Bob"},
        {"owner_type": "entity", "owner_name": "Holdco", "owner_reg": "456"},
    ]
    # A hidden repeatable section is dropped with everything in it.
    data["is_company"] = False
    assert "owners_items" not in clean(CONDITIONAL, data, required=True)
    # Required fields inside items are checked per item.
    errors = field_errors(
        CONDITIONAL,
        {"is_company": True, "company_name": "A", "owners_items": [{"owner_type": "person"}]},
        required=True,
    )
    assert errors == {"owners_items[0].owner_name": ["owner_name is required."]}


def test_a_hidden_plain_section_strips_its_fields_and_their_requirement() -> None:
    assert clean(CONDITIONAL, {"kind": "a", "extra_note": "n"}, required=True) == {"kind": "a"}
    assert "extra_note" in field_errors(CONDITIONAL, {"kind": "b"}, required=True)


def test_table_source_columns_follow_the_section_items() -> None:
    data = copy.deepcopy(SEED_SUBMISSION_DATA)
    data["share_allocation"] = [{"name": "Mallory", "shares": 10}]  # the name is overwritten from the section
    cleaned = clean(SEED_FORM_SCHEMA, data)
    assert cleaned["share_allocation"] == [{"name": "Bob", "shares": 10}, {"name": "Sarah"}]
    data["share_allocation"] = [{"shares": 1}, {"shares": 2}, {"shares": 3}]
    assert "share_allocation" in field_errors(SEED_FORM_SCHEMA, data)


# --- Files -------------------------------------------------------------------------------------------

FILE_SCHEMA = {
    "fields": [
        {"key": "passport", "type": "file", "required": True, "constraints": {"accept": ["pdf", "image/*"]}},
        {"key": "signature", "type": "signature"},
        {"key": "extras", "type": "file", "constraints": {"multiple": True, "maxFiles": 2}},
    ],
    "sections": [{"id": "dirs", "repeatable": True, "fields": [{"key": "dir_id", "type": "file"}]}],
}


def test_file_field_keys_and_file_values() -> None:
    assert file_field_keys(FILE_SCHEMA) == ["passport", "signature", "extras", "dir_id"]
    assert file_field_keys(SEED_FORM_SCHEMA) == []
    data = {"passport": "p", "extras": ["e1", "e2"], "dirs_items": [{"dir_id": "d0"}, {}]}
    assert list(iter_file_values(FILE_SCHEMA, data)) == [
        ("passport", "passport", "p"),
        ("extras", "extras", "e1"),
        ("extras", "extras", "e2"),
        ("dirs_items[0].dir_id", "dir_id", "d0"),
    ]


@pytest.mark.django_db
def test_file_values_are_uploaded_documents_of_the_same_workspace(
    workspace: Any, other_workspace: Any, django_assert_max_num_queries: Any
) -> None:
    pdf = UploadedDocumentFactory(workspace=workspace)
    png = UploadedDocumentFactory(workspace=workspace, original_name="sig.png", content_type="image/png")
    extra = UploadedDocumentFactory(workspace=workspace, original_name="a.csv", content_type="text/csv")
    data = {
        "passport": str(pdf.uuid),
        "signature": str(png.uuid),
        "extras": [str(extra.uuid)],
        "dirs_items": [{"dir_id": str(pdf.uuid)}],
    }
    with django_assert_max_num_queries(1):
        assert clean(FILE_SCHEMA, data, workspace=workspace) == data

    foreign = UploadedDocumentFactory(workspace=other_workspace)
    pending = UploadedDocumentFactory(workspace=workspace, status=DocumentStatus.AWAITING_UPLOAD)
    errors = field_errors(
        FILE_SCHEMA,
        {
            "passport": str(foreign.uuid),
            "signature": str(pdf.uuid),
            "extras": [str(pending.uuid)],
            "dirs_items": [{"dir_id": str(extra.uuid)}],
        },
        workspace=workspace,
    )
    assert "No file" in errors["passport"][0]
    assert "accepted file types" in errors["signature"][0]
    assert "not been uploaded" in errors["extras"][0]
    assert list(errors) == ["passport", "signature", "extras"]
    errors = field_errors(FILE_SCHEMA, {"passport": [str(pdf.uuid)]}, workspace=workspace)
    assert errors["passport"]
    errors = field_errors(FILE_SCHEMA, {"extras": [str(pdf.uuid)] * 2}, workspace=workspace)
    assert errors["extras"]
    errors = field_errors(FILE_SCHEMA, {"extras": str(pdf.uuid)}, workspace=workspace)
    assert errors["extras"]


def test_file_names_mode_checks_the_file_type_registry() -> None:
    data = {
        "passport": "my passport.pdf",
        "signature": "sig.png",
        "extras": ["a.csv", "b.docx"],
        "dirs_items": [{"dir_id": "id.jpg"}],
    }
    assert clean(FILE_SCHEMA, data, file_values="file_names") == data
    errors = field_errors(
        FILE_SCHEMA,
        {"passport": "evil.exe", "signature": "sig.pdf", "extras": ["a.txt", "b.txt", "c.txt"]},
        file_values="file_names",
    )
    assert "not accepted" in errors["passport"][0]
    assert "accepted file types" in errors["signature"][0]
    assert "At most 2" in errors["extras"][0]
    assert "passport" in field_errors(FILE_SCHEMA, {}, file_values="file_names", required=True)


def test_deeply_nested_conditions_are_refused_not_a_crash() -> None:
    condition: dict[str, Any] = {"field": "a", "operator": "empty"}
    for _ in range(50):
        condition = {"all": [condition]}
    schema = {"fields": [{"key": "a", "type": "text"}, {"key": "b", "type": "text", "condition": condition}]}
    assert "nest at most" in schema_error(schema)
