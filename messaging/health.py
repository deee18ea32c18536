"""Readiness: can this process serve the API right now, and which release is it?"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Readiness:
    release: str
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


# Once every migration is applied it stays so for the life of this process (new migrations arrive only
# with a new release), so the migration graph is loaded once rather than on every probe.
_migrations_applied = False


def check_readiness() -> Readiness:
    global _migrations_applied
    problems: list[str] = []
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if pending:
                problems.append(f"{len(pending)} unapplied migration(s)")
            else:
                _migrations_applied = True
    except DatabaseError as exc:
        problems.append(f"database unreachable: {type(exc).__name__}")
    return Readiness(release=settings.RELEASE_VERSION, problems=problems)
