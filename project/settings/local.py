"""A developer's machine: DEBUG on, a SQLite file unless DATABASE_URL says otherwise, nothing to set."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

from project.settings.base import *  # noqa: F403
