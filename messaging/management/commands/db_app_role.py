"""``manage.py db_app_role``: create or update the app's least-privilege database role (release step)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from project.postgresql.app_role import AppRoleError, app_role_ensure

USER_VARIABLE = "DB_APP_USER"
PASSWORD_VARIABLE = "DB_APP_PASSWORD"  # noqa: S105 - the variable's name, not a password


class Command(BaseCommand):
    help = (
        f"Create or update the login role named by {USER_VARIABLE} (password {PASSWORD_VARIABLE}) with read and "
        "write access to every table's rows and nothing more; run as the migrations' owner, after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(f"the app role is a PostgreSQL role; database {database!r} is {connection.vendor}")
        role, password = os.environ.get(USER_VARIABLE, ""), os.environ.get(PASSWORD_VARIABLE, "")
        try:
            result = app_role_ensure(
                connection, role=role, password=password, progress=lambda line: self.stdout.write(f"  {line}")
            )
        except AppRoleError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            # The driver's message names the statement's object, never the password (it is sent as a verifier).
            raise CommandError(f"could not set up the app role {role!r}: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(f"App role {result.role} ready ({'created' if result.created else 'updated'})")
        )
