"""``manage.py db_app_role`` on real PostgreSQL: the app's role reads and writes rows and nothing more.

The command runs as the release's migration task runs it (production settings, the migrations' owner,
the role's name and password in the environment); the app then runs as that role.
"""

import json
import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from psycopg import sql

from tests.support.databases import migrated_database, postgres_url_from_env, with_database
from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import image_env, production_env

PASSWORD = "app-role-test-" + uuid.uuid4().hex


def libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1).replace("pgsql://", "postgresql://", 1)


def as_user(url: str, user: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}@{rest.split('@', 1)[1]}" if "@" in rest else f"{scheme}://{user}@{rest}"


@pytest.fixture(scope="module")
def database_url():
    server_url = postgres_url_from_env()
    if server_url is None:
        pytest.skip("the app role is a PostgreSQL role: set DATABASE_URL to a postgres:// URL")
    with migrated_database(server_url, prefix="app_role") as url:
        yield url


@pytest.fixture(scope="module")
def first_run(database_url):
    """The command's first run, as the first release's migration step makes it, with a role name of this
    module alone (roles are shared by every database of the server); the role is dropped after."""
    name = f"messaging_app_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    yield name, db_app_role(database_url, name)
    with psycopg.connect(libpq(database_url), autocommit=True) as owner:
        owner.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
    server = with_database(database_url, "postgres")
    with psycopg.connect(libpq(server), autocommit=True) as admin:
        # The database still holds the role's grants until it is dropped; revoke them first.
        admin.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(
                sql.Identifier(database_url.rsplit("/", 1)[1]), sql.Identifier(name)
            )
        )
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def run(database_url: str, argv: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *argv],
        cwd=REPO_ROOT,
        env={**os.environ, **image_env(), **production_env(database_url), "MESSAGES_POST_RATE": "", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def db_app_role(database_url: str, role: str) -> subprocess.CompletedProcess:
    return run(database_url, ["manage.py", "db_app_role"], DB_APP_USER=role, DB_APP_PASSWORD=PASSWORD)


def privileges(database_url: str, role: str) -> dict:
    """Everything the role is and may do, for comparing two runs."""
    with psycopg.connect(libpq(database_url)) as connection:
        attributes = connection.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolinherit, rolbypassrls "
            "FROM pg_roles WHERE rolname = %s",
            [role],
        ).fetchone()
        tables = connection.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s ORDER BY 1, 2",
            [role],
        ).fetchall()
        defaults = connection.execute("SELECT defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1").fetchall()
    return {"attributes": attributes, "tables": tables, "defaults": defaults}


@pytest.fixture
def role(first_run) -> str:
    name, result = first_run
    assert result.returncode == 0, result.stderr
    return name


def test_the_first_run_creates_the_role_and_never_shows_the_password(first_run):
    role, result = first_run
    assert result.returncode == 0, result.stderr
    assert f"App role {role} ready (created)" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr


def test_the_app_role_reads_and_posts_messages_and_is_ready(database_url, role):
    probe = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "posted = c.post('/messages', {'sender': 'alice', 'content': 'hi'}, content_type='application/json')\n"
        "listed = c.get('/messages')\n"
        "ready = c.get('/health/ready')\n"
        "print(json.dumps([posted.status_code, listed.status_code, listed.json()['results'][0]['content'],"
        " ready.status_code]))\n"
    )
    app = run(as_user(database_url, role), ["-c", probe], DJANGO_ALLOWED_HOSTS="testserver")
    assert app.returncode == 0, app.stderr
    assert json.loads(app.stdout.strip().splitlines()[-1]) == [201, 200, "hi", 200]


def test_the_app_role_cannot_create_alter_or_drop_tables(database_url, role):
    with psycopg.connect(libpq(as_user(database_url, role)), autocommit=True) as app:
        for statement in (
            "CREATE TABLE intruder (id int)",
            "DROP TABLE messaging_message",
            "ALTER TABLE messaging_message ADD COLUMN x int",
            "TRUNCATE messaging_message",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)


def test_running_it_again_changes_nothing(database_url, role):
    before = privileges(database_url, role)
    again = db_app_role(database_url, role)
    assert again.returncode == 0, again.stderr
    assert f"App role {role} ready (updated)" in again.stdout
    assert privileges(database_url, role) == before
    assert before["attributes"] == (False, False, False, True, True, False)
    assert {privilege for _, privilege in before["tables"]} == {"SELECT", "INSERT", "UPDATE", "DELETE"}


def test_tables_of_later_migrations_are_granted_to_the_role(database_url, role):
    with psycopg.connect(libpq(database_url), autocommit=True) as owner:
        owner.execute("CREATE TABLE later_migration (id bigint GENERATED BY DEFAULT AS IDENTITY, note text)")
    with psycopg.connect(libpq(as_user(database_url, role)), autocommit=True) as app:
        app.execute("INSERT INTO later_migration (note) VALUES ('x')")
        assert app.execute("SELECT count(*) FROM later_migration").fetchone() == (1,)


def test_without_a_name_or_password_it_is_a_clear_error(database_url):
    # Refused before any statement: nothing to clean up.
    result = run(database_url, ["manage.py", "db_app_role"], DB_APP_USER="", DB_APP_PASSWORD="")
    assert result.returncode == 1
    assert "CommandError: the app role needs a name and a password (DB_APP_USER, DB_APP_PASSWORD)" in result.stderr
    assert "Traceback" not in result.stderr
