from typing import Any

from django.db import migrations, models

# The review queue's search (``selectors.submission_search_q``): a word is found anywhere in a submission's id or
# in the text of its data through trigram indexes of exactly the expressions Django's ``icontains`` compares on
# PostgreSQL (``UPPER(col::text) LIKE UPPER('%word%')``), so a search of 1M rows reads the index, not the table.
# PostgreSQL only (pg_trgm is a trusted extension: the database owner may create it); SQLite scans.
TRIGRAM_INDEXES = {
    "sub_data_trgm": "UPPER((data)::text) gin_trgm_ops",
    "sub_public_id_trgm": "UPPER((public_id)::text) gin_trgm_ops",
}


def create_search_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON submissions_submission USING gin ({expression})")


def drop_search_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0004_submission_visibility_proxy"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="assignee_read_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the assignee first opened it since it was assigned (unset: unread).",
                null=True,
            ),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
