"""PostgreSQL: `case_number_next(sequence)` draws the next number of a day's sequence, creating
the sequence on the day's first intake — one round trip, no process-local state (see
`cases/numbering.py`). SQLite keeps its counter row and needs nothing."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION case_number_next(seq text) RETURNS bigint AS $$
BEGIN
    RETURN nextval(seq::regclass);
EXCEPTION WHEN undefined_table THEN
    BEGIN
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', seq);
    EXCEPTION WHEN unique_violation THEN
        NULL;  -- created by a concurrent first intake of the day, now committed
    END;
    RETURN nextval(seq::regclass);
END
$$ LANGUAGE plpgsql
"""
DROP = "DROP FUNCTION IF EXISTS case_number_next(text)"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_encrypt_reporter_name_values")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
