"""What the product has stored: every table of its apps (history included), counted in one query."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

PRODUCT_APPS = ("workspaces", "documents", "submissions", "workflows", "evidence", "webhooks")


def row_counts() -> dict[str, int]:
    tables = sorted({model._meta.db_table for app in PRODUCT_APPS for model in apps.get_app_config(app).get_models()})
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))
