"""A deep list page's ids, walked without JIT compilation (PostgreSQL only).

The OFFSET walk of a deep page costs the planner millions, so PostgreSQL JIT-compiles the whole rows query
(about 400 ms of compilation for a 100 ms walk at 1M rows). ``SET jit = off`` on this function scopes that to
the walk: selectors.submission_list calls it for pages past COUNT_EXACT_CAP rows, with the ORM's id query as
text (its values quoted by the driver). The function only ever runs what the list built.
"""

from typing import Any

from django.db import migrations

PAGE_IDS_SQL = """
CREATE OR REPLACE FUNCTION submissions_page_ids(query text) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SET jit = off AS $$
BEGIN
    RETURN QUERY EXECUTE query;  -- one bigint column: the ids of the page
END
$$;
"""


def create_page_ids(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PAGE_IDS_SQL)


def drop_page_ids(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS submissions_page_ids(text)")


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_list_indexes_count_estimate")]

    operations = [migrations.RunPython(create_page_ids, drop_page_ids)]
