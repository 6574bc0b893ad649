"""render_spec: what the end-client pages' renderer gets for a form version (the module other apps use)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from config.errors import ValidationFailed
from submissions.formschema import render_spec
from tests.submissions.schemas import SEED_FORM_SCHEMA

SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "full_name", "label": "Full name", "type": "text", "required": True, "helpText": "As in your passport"},
        {"key": "bio", "label": "About you", "type": "textarea", "placeholder": "A few words"},
        {"key": "residence", "label": "Country", "type": "country"},
        {"key": "score", "label": "Score", "type": "rating"},
        {"key": "amount", "label": "Amount", "type": "currency", "constraints": {"min": 0, "integer": True}},
        {"key": "start", "label": "Start", "type": "date", "constraints": {"min": "2020-01-01"}},
        {"key": "signature", "label": "Signature", "type": "signature"},
        {"key": "papers", "label": "Papers", "type": "file", "constraints": {"multiple": True, "maxFiles": 3}},
        {"key": "is_pep", "label": "PEP?", "type": "yesno"},
        {
            "key": "pep_role",
            "label": "Role",
            "type": "radio",
            "options": [{"value": "minister", "label": "Minister"}, {"value": "judge"}],
            "condition": {"any": [{"field": "is_pep", "operator": "equals", "value": True}]},
        },
    ],
    "sections": [
        {
            "id": "owners",
            "title": "Owners",
            "repeatable": True,
            "minItems": 1,
            "maxItems": 4,
            "condition": {"field": "is_pep", "operator": "isNotEmpty"},
            "fields": [{"key": "owner_name", "label": "Owner", "type": "text", "constraints": {"maxLength": 80}}],
        }
    ],
}


def by_key(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in spec["fields"]}


def test_each_field_carries_its_widget_labels_bounds_and_texts() -> None:
    spec = render_spec(SCHEMA)

    fields = by_key(spec)
    assert list(fields) == [field["key"] for field in SCHEMA["fields"]]
    assert fields["full_name"] == {
        "key": "full_name",
        "type": "text",
        "widget": "text",
        "label": "Full name",
        "required": True,
        "helpText": "As in your passport",
        "maxLength": 1000,
    }
    assert fields["bio"]["maxLength"] == 20_000 and fields["bio"]["placeholder"] == "A few words"
    assert {"value": "DE", "label": "Germany"} in fields["residence"]["options"]
    assert len(fields["residence"]["options"]) == 249
    assert (fields["score"]["widget"], fields["score"]["min"], fields["score"]["max"]) == ("rating", 1, 5)
    assert (fields["amount"]["min"], fields["amount"]["integer"], fields["amount"].get("max")) == (0, True, None)
    assert fields["start"]["min"] == "2020-01-01"
    assert fields["signature"]["accept"] == ["png", "jpg", "jpeg", "webp", "gif"]
    assert (fields["papers"]["multiple"], fields["papers"]["maxFiles"], fields["papers"]["accept"]) == (True, 3, [])
    assert fields["pep_role"]["options"] == [
        {"value": "minister", "label": "Minister"},
        {"value": "judge", "label": "judge"},
    ]
    assert fields["pep_role"]["condition"] == {"any": [{"field": "is_pep", "operator": "equals", "value": True}]}
    json.dumps(spec)  # JSON-able, as a page embeds it


def test_sections_say_where_rows_go_and_conditions_use_canonical_operators() -> None:
    (section,) = render_spec(SCHEMA)["sections"]

    assert section["itemsKey"] == "owners_items"
    assert (section["minItems"], section["maxItems"], section["repeatable"]) == (1, 4, True)
    assert section["condition"] == {"field": "is_pep", "operator": "not_empty", "value": None}
    assert section["fields"][0]["maxLength"] == 80


def test_a_table_fill_lists_its_columns_and_the_section_they_fill_from() -> None:
    table = by_key(render_spec(SEED_FORM_SCHEMA))["share_allocation"]

    assert table["widget"] == "table" and table["sourceSection"] == "section_shareholders"
    name, shares, share_class = table["columns"]
    assert (name["key"], name["sourceField"]) == ("name", "shareholder_name")
    assert (shares["min"], shares["integer"]) == (0, True)
    assert [option["label"] for option in share_class["options"]] == ["Ordinary", "Preference"]


def test_an_invalid_schema_is_refused_as_on_publish() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        render_spec({"fields": [{"key": "f", "type": "colour"}]})
    assert excinfo.value.code == "INVALID_FORM_SCHEMA"
