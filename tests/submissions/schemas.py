"""Form schemas the submissions tests share: the seed's example form, field for field."""

from __future__ import annotations

from typing import Any

SEED_FORM_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "full_name", "label": "Full name", "type": "text", "required": True},
        {"key": "email", "label": "Email", "type": "email", "required": True},
        {"key": "country", "label": "Country", "type": "country"},
        {"key": "overall_rating", "label": "Overall rating", "type": "rating"},
        {
            "key": "risk_flags",
            "label": "Risk flags",
            "type": "checkbox",
            "options": [
                {"value": "high_risk", "label": "High risk"},
                {"value": "pep", "label": "Politically exposed person"},
                {"value": "sanctions", "label": "Sanctions hit"},
            ],
        },
        {"key": "comments", "label": "Comments", "type": "textarea"},
        {
            "key": "share_allocation",
            "label": "Share allocation",
            "type": "table_fill",
            "columns": [
                {"key": "name", "label": "Name", "type": "text", "sourceField": "shareholder_name"},
                {"key": "shares", "label": "Shares", "type": "number", "constraints": {"min": 0, "integer": True}},
                {
                    "key": "class",
                    "label": "Class",
                    "type": "select",
                    "options": [
                        {"value": "ordinary", "label": "Ordinary"},
                        {"value": "preference", "label": "Preference"},
                    ],
                },
            ],
        },
    ],
    "sections": [
        {
            "id": "section_shareholders",
            "title": "Shareholders",
            "repeatable": True,
            "fields": [
                {"key": "shareholder_name", "label": "Name", "type": "text", "required": True},
                {"key": "shareholder_address", "label": "Address", "type": "text"},
            ],
        }
    ],
}

SEED_SUBMISSION_DATA: dict[str, Any] = {
    "full_name": "Jane Smith",
    "email": "jane@example.com",
    "country": "US",
    "overall_rating": 4,
    "risk_flags": ["high_risk", "pep"],
    "section_shareholders_items": [
        {"shareholder_name": "Bob", "shareholder_address": "123 Main St"},
        {"shareholder_name": "Sarah", "shareholder_address": "456 Oak Ave"},
    ],
    "share_allocation": [
        {"name": "Bob", "shares": 500, "class": "ordinary"},
        {"name": "Sarah", "shares": 500, "class": "preference"},
    ],
}
