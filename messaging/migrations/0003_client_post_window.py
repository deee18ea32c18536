from django.db import migrations, models


def unlogged(apps, schema_editor):
    """On PostgreSQL the counts skip the write-ahead log: a post's count then commits without waiting
    for a disk flush, and a database crash or failover forgets the counts of the last minute, which
    only lets clients start their allowance afresh (docs/adr/0020-shared-post-limit.md)."""
    _set_persistence(schema_editor, "UNLOGGED")


def logged(apps, schema_editor):
    _set_persistence(schema_editor, "LOGGED")


def _set_persistence(schema_editor, persistence: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("messaging_clientpostwindow")
    schema_editor.execute(f"ALTER TABLE {table} SET {persistence}")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_admin_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientPostWindow",
            fields=[
                ("client", models.TextField(primary_key=True, serialize=False)),
                ("window_start", models.FloatField(db_index=True)),
                ("posts", models.PositiveIntegerField()),
            ],
        ),
        migrations.RunPython(unlogged, logged, elidable=False),
    ]
