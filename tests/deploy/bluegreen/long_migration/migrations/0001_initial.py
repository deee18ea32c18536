from django.db import migrations

# Longer than the app's 5 s statement timeout (project.settings.database.STATEMENT_TIMEOUT_MS).
SECONDS = 5.5


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        # What the migration ran under, for the test to read afterwards.
        migrations.RunSQL(
            "CREATE TABLE long_migration_limits AS "
            "SELECT current_setting('statement_timeout') AS statement_timeout, "
            "current_setting('lock_timeout') AS lock_timeout",
            "DROP TABLE long_migration_limits",
        ),
        migrations.RunSQL(f"SELECT pg_sleep({SECONDS})", migrations.RunSQL.noop),
    ]
