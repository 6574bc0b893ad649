from typing import Any

from django.db import migrations

# The data half of the search (``selectors.data_contains_q``) looks words up instead of substrings: a trigram
# index cannot skip the trigrams a searched e-mail shares with every row ("exa", "com", ...), and read ~400 ms of
# posting lists at 1M rows; the words of the answers (values, not keys) are looked up by prefix in this index.
# The expression is exactly ``selectors.DataWords``. PostgreSQL only; SQLite scans.
DATA_WORDS = """jsonb_to_tsvector('simple'::regconfig, data, '["string", "numeric"]'::jsonb)"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS sub_data_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS sub_data_words ON submissions_submission USING gin ({DATA_WORDS})"
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS sub_data_words")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS sub_data_trgm ON submissions_submission USING gin (UPPER((data)::text) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0005_queue_unread_search"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
