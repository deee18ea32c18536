"""The production database connection: from DATABASE_URL, or from the fields ECS injects from the RDS secret."""

from typing import Any

import environ

STOCK_POSTGRESQL_ENGINE = "django.db.backends.postgresql"
# The stock backend with a connection health check that needs no round trip (project/postgresql/base.py).
POSTGRESQL_ENGINE = "project.postgresql"
# psycopg prepares a statement on the server after a connection has run it this many times (its own default).
PREPARE_THRESHOLD = 5
# Defaults of DB_STATEMENT_TIMEOUT_MS (which project.settings.base reads too) and DB_LOCK_TIMEOUT_MS.
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 2000
# Their variables, also set (to other values) for the release's migration task (deploy.config).
STATEMENT_TIMEOUT_VARIABLE = "DB_STATEMENT_TIMEOUT_MS"
LOCK_TIMEOUT_VARIABLE = "DB_LOCK_TIMEOUT_MS"


def with_project_backend(database: dict[str, Any]) -> dict[str, Any]:
    """``database`` with PostgreSQL served by the project's backend; other engines are left as they are.

    Queries are sent with server-side parameter binding and, once repeated, as prepared statements:
    PostgreSQL then parses and plans each of the app's few queries once per connection instead of once
    per request (figures: docs/adr/0003-prepared-statements.md). Django turns prepared
    statements off by default for transaction-mode poolers (PgBouncer, RDS Proxy), which the AWS design
    does not use; ``DB_PREPARED_STATEMENTS=false`` turns them off for one.
    """
    if database["ENGINE"] == STOCK_POSTGRESQL_ENGINE:
        database["ENGINE"] = POSTGRESQL_ENGINE
    if database["ENGINE"] == POSTGRESQL_ENGINE:
        options = database.setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", PREPARE_THRESHOLD)
    return database


def database_from_env(env: environ.Env) -> dict[str, Any]:
    """Build the ``default`` database with short timeouts so an outage fails requests fast.

    ECS injects ``DB_HOST``, ``DB_PORT``, ``DB_NAME``, ``DB_USER`` and ``DB_PASSWORD`` one by one from the
    Secrets Manager secret RDS generates; ``DATABASE_URL`` wins when set (local compose, CI).
    """
    if env("DATABASE_URL", default=""):
        database = env.db("DATABASE_URL")
    else:
        database = {
            "ENGINE": STOCK_POSTGRESQL_ENGINE,
            "HOST": env("DB_HOST"),
            "PORT": env.int("DB_PORT", default=5432),
            "NAME": env("DB_NAME"),
            "USER": env("DB_USER"),
            "PASSWORD": env("DB_PASSWORD"),
        }
    database = with_project_backend(database)
    if database["ENGINE"] != POSTGRESQL_ENGINE:
        return database

    options = database.setdefault("OPTIONS", {})
    # RDS enforces TLS (rds.force_ssl); "verify-full" with DB_SSLROOTCERT also checks the server's name.
    options.setdefault("sslmode", env("DB_SSLMODE", default="require"))
    if env("DB_SSLROOTCERT", default=""):
        options["sslrootcert"] = env("DB_SSLROOTCERT")
    # libpq would otherwise wait for the OS TCP timeout (minutes) when the server is unreachable.
    options["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=3)
    if not env.bool("DB_PREPARED_STATEMENTS", default=True):
        options["prepare_threshold"] = None
    # No query of this app needs more than a few milliseconds; a stuck one must not hold a thread, and a lock
    # is waited for less long than that.
    statement_timeout = env.int(STATEMENT_TIMEOUT_VARIABLE, default=STATEMENT_TIMEOUT_MS)
    lock_timeout = env.int(LOCK_TIMEOUT_VARIABLE, default=LOCK_TIMEOUT_MS)
    # The time zone Django works in (UTC) set at connection start: Django then sends no SET TIME ZONE of its
    # own, a statement outside every query deadline, on each new connection.
    options["options"] = f"-c statement_timeout={statement_timeout} -c lock_timeout={lock_timeout} -c TimeZone=UTC"
    # A peer that vanished (a failover, a partition) is noticed by TCP in seconds, not the kernel's minutes:
    # keepalives on an idle connection, and tcp_user_timeout for data the server never acknowledges.
    options["keepalives"] = 1
    options["keepalives_idle"] = env.int("DB_KEEPALIVES_IDLE", default=10)
    options["keepalives_interval"] = env.int("DB_KEEPALIVES_INTERVAL", default=5)
    options["keepalives_count"] = env.int("DB_KEEPALIVES_COUNT", default=3)
    options["tcp_user_timeout"] = env.int("DB_TCP_USER_TIMEOUT_MS", default=statement_timeout + 2000)
    if env.bool("DB_POOL", default=False):
        # psycopg's pool waits 30 s for a free connection by default; fail in seconds instead.
        options["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=4),
            "timeout": env.float("DB_POOL_TIMEOUT", default=3.0),
        }
        database["CONN_MAX_AGE"] = 0
    else:
        database["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
    # A persistent connection is checked before reuse, so one broken by an outage is replaced, not reused.
    database["CONN_HEALTH_CHECKS"] = True
    return database
