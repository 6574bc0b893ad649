"""The shared condition test vectors run against the server's engine (the browser's runs the same file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from submissions.formschema import clean_form_data, validate_form_schema, visible_fields

VECTORS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "condition_vectors.json").read_text())["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_the_server_shows_what_the_vector_expects(vector: dict[str, Any]) -> None:
    validate_form_schema(vector["schema"])

    shown = visible_fields(vector["schema"], vector["data"])

    assert {name: sorted(paths) for name, paths in shown.items()} == vector["visible"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_cleaning_keeps_exactly_the_answers_of_visible_fields(vector: dict[str, Any]) -> None:
    """What a submit stores is what the engine shows: no hidden value survives, no visible one is dropped."""
    data = vector["data"]
    cleaned = clean_form_data(
        schema=vector["schema"], data=data, workspace=None, require_required=False, file_values="file_names"
    )

    assert _answered(cleaned) == _answered(data) & set(vector["visible"]["fields"])


def _answered(data: dict[str, Any]) -> set[str]:
    paths = set()
    for key, value in data.items():
        if key.endswith("_items") and isinstance(value, list):
            paths |= {f"{key}[{index}].{name}" for index, row in enumerate(value) for name in row}
        else:
            paths.add(key)
    return paths


def test_the_vectors_cover_every_operator_and_both_groups() -> None:
    used: set[str] = set()

    def walk(condition: dict[str, Any]) -> None:
        for mode in ("all", "any"):
            if mode in condition:
                used.add(mode)
                for child in condition[mode]:
                    walk(child)
        if "operator" in condition:
            used.add(condition["operator"])

    for vector in VECTORS:
        for item in [*vector["schema"]["fields"], *vector["schema"].get("sections", [])]:
            for node in [item, *item.get("fields", [])]:
                if "condition" in node:
                    walk(node["condition"])
    canonical = {"notEquals": "not_equals", "lessThan": "less_than"}
    assert {canonical.get(name, name) for name in used} >= {
        "equals",
        "not_equals",
        "in",
        "not_in",
        "greater_than",
        "less_than",
        "empty",
        "not_empty",
        "all",
        "any",
    }
