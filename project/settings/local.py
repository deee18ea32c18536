"""A developer's machine: DEBUG on, a SQLite file unless DATABASE_URL says otherwise, nothing to set."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

from project.settings.base import *  # noqa: F403

# The infrastructure and release commands (synth_infra, bluegreen_deploy) run from a developer's checkout
# and from CI; the image and its production settings do without them.
INSTALLED_APPS = [*INSTALLED_APPS, "deploy"]  # noqa: F405
