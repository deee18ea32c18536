"""The test suite: PostgreSQL when DATABASE_URL points at one, SQLite otherwise; fast password hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from project.settings.base import *  # noqa: F403
from project.settings.database import POSTGRESQL_ENGINE

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite tests the infrastructure and release commands too.
INSTALLED_APPS = [*INSTALLED_APPS, "deploy"]  # noqa: F405

if DATABASES["default"]["ENGINE"] == POSTGRESQL_ENGINE:  # noqa: F405
    # A test database of its own per pytest process, so concurrent runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
