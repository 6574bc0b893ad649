"""display_data: the tree the share page and the admin's case view render (the module other apps use)."""

from __future__ import annotations

import dataclasses
import json

from submissions.formschema import DisplaySection, DisplayTable, DisplayValue, display_data

SCHEMA = {
    "fields": [{"key": "company", "label": "Company", "type": "text"}],
    "sections": [
        {
            "id": "directors",
            "title": "Directors",
            "repeatable": True,
            "fields": [
                {"key": "name", "label": "Name", "type": "text"},
                {"key": "is_pep", "label": "PEP?", "type": "yesno"},
                {
                    "key": "pep_role",
                    "label": "Role",
                    "type": "text",
                    "condition": {"field": "is_pep", "operator": "equals", "value": True},
                },
                {"key": "ids", "label": "IDs", "type": "file", "constraints": {"multiple": True}},
            ],
        },
        {"id": "empty", "title": "Nothing answered", "fields": [{"key": "note", "label": "Note", "type": "text"}]},
    ],
}


def test_repeat_rows_are_a_table_whose_hidden_and_unanswered_cells_are_empty() -> None:
    data = {
        "company": "Acme",
        "directors_items": [
            {"name": "Ann", "is_pep": True, "pep_role": "Mayor", "ids": ["srd_a", "srd_b"]},
            {"name": "Bob", "is_pep": False, "pep_role": "stale"},
        ],
    }

    top, directors = display_data(SCHEMA, data)

    assert top == DisplaySection(
        id="",
        title="",
        description="",
        repeatable=False,
        entries=[DisplayValue(key="company", label="Company", type="text", text="Acme", value="Acme")],
    )
    assert (directors.id, directors.title, directors.repeatable) == ("directors", "Directors", True)
    (table,) = directors.entries
    assert isinstance(table, DisplayTable) and table.kind == "table"
    assert [column.label for column in table.columns] == ["Name", "PEP?", "Role", "IDs"]
    ann, bob = table.rows
    assert [cell.text if cell else None for cell in ann] == ["Ann", "Yes", "Mayor", "2 file(s) attached"]
    assert ann[3] is not None and ann[3].files == ["srd_a", "srd_b"]
    assert [cell.text if cell else None for cell in bob] == ["Bob", "No", None, None]
    json.dumps([dataclasses.asdict(section) for section in (top, directors)])


def test_no_answers_make_no_sections() -> None:
    assert display_data(SCHEMA, {}) == []
