"""The app's own PostgreSQL role: it reads and writes rows, and owns, creates or drops nothing.

The migration task runs as the master user, owns every table and sequence, and calls ``app_role_ensure``
after ``migrate``; the service's tasks connect as the role it keeps. Rotating the master password then
touches no running task. Every statement is idempotent: running it again leaves the same role and grants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql

SCHEMA = "public"
TABLE_PRIVILEGES = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
# nextval() for serial columns; identity columns need none, but a serial may come with a third-party app.
SEQUENCE_PRIVILEGES = sql.SQL("USAGE, SELECT")


class AppRoleError(ValueError):
    """Raised for a role name or password the role cannot be created with."""


@dataclass(frozen=True)
class AppRoleResult:
    role: str
    created: bool


def app_role_ensure(connection, *, role: str, password: str, progress: Callable[[str], None]) -> AppRoleResult:
    """Create or update login role ``role`` on ``connection`` (a Django connection to the app's database,
    as the migrations' owner) and grant it the rows of every table, now and future, of the schema.

    The password travels as a SCRAM verifier computed here, so neither the server log nor an error ever
    holds it in clear.
    """
    if not role or not password:
        raise AppRoleError("the app role needs a name and a password (DB_APP_USER, DB_APP_PASSWORD)")
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    verifier = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        if role == owner:
            raise AppRoleError(f"the app role must not be the migrations' owner {owner!r}")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        created = cursor.fetchone() is None
        verb = "CREATE ROLE {} LOGIN PASSWORD {}" if created else "ALTER ROLE {} WITH LOGIN PASSWORD {}"
        # NOSUPERUSER etc. are the defaults of CREATE ROLE; the role inherits nothing from others.
        _run(cursor, sql.SQL(verb).format(name, sql.Literal(verifier)))
        progress(f"role {role} {'created' if created else 'exists; password set from the secret'}")
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name),
            # Nobody but the owner creates objects in the schema (PostgreSQL 15's default, made explicit).
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(SCHEMA)),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(SCHEMA), name),
            sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(TABLE_PRIVILEGES, sql.Identifier(SCHEMA), name),
            sql.SQL("GRANT {} ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
                SEQUENCE_PRIVILEGES, sql.Identifier(SCHEMA), name
            ),
            # Tables and sequences later migrations create (as this same owner) are granted as they appear.
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT {} ON TABLES TO {}").format(
                sql.Identifier(SCHEMA), TABLE_PRIVILEGES, name
            ),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT {} ON SEQUENCES TO {}").format(
                sql.Identifier(SCHEMA), SEQUENCE_PRIVILEGES, name
            ),
        ]
        for statement in statements:
            _run(cursor, statement)
        progress(f"granted {role} the rows of every table in {database}.{SCHEMA}, and of those to come")
    return AppRoleResult(role=role, created=created)


def _run(cursor, statement: sql.Composable) -> None:
    cursor.execute(statement.as_string(cursor.connection))
