"""The container's production settings with the long migration's app installed."""

from project.settings.production import *  # noqa: F403
from project.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.deploy.bluegreen.long_migration"]
