"""The admin's search indexes: a sender prefix index and a trigram index on the content (PostgreSQL only)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.indexes import OpClass
from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db import migrations, models


class AddPostgreSQLIndexConcurrently(AddIndexConcurrently):
    """Builds the index on PostgreSQL without blocking the API's writes, however long that takes; does
    nothing elsewhere (SQLite runs the admin's search with plain queries).

    A release's migration task runs without a statement timeout (ADR 0016), but `migrate` run under the
    app's own settings (5 s) would not outlast a table of millions of rows, so the build turns the timeout
    off itself and the session's own value comes back after.
    A build that was interrupted leaves an invalid index of the same name behind: it is dropped first, so
    the migration can simply be run again.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("SET statement_timeout = 0")
        try:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.index.name)}")
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        finally:
            schema_editor.execute("RESET statement_timeout")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it, on RDS too.
        TrigramExtension(),
        AddPostgreSQLIndexConcurrently(
            model_name="message",
            index=models.Index(fields=["sender"], name="message_sender_prefix", opclasses=["varchar_pattern_ops"]),
        ),
        AddPostgreSQLIndexConcurrently(
            model_name="message",
            index=django.contrib.postgres.indexes.GinIndex(
                OpClass(django.db.models.functions.text.Upper("content"), name="gin_trgm_ops"),
                name="message_content_trigrams",
            ),
        ),
    ]
