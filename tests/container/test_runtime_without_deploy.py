"""The image carries the web runtime only: nothing it runs imports ``deploy/`` (infrastructure and releases)."""

import subprocess
import sys

from tests.support.dockerfile import REPO_ROOT, read_image_contract

# Everything the container runs, with ``deploy`` made unimportable as it is in the image.
RUNTIME_WITHOUT_DEPLOY = """
import importlib.abc, os, runpy, sys

class NoDeploy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "deploy" or name.startswith("deploy."):
            raise ImportError(f"{name} is not in the image")

sys.meta_path.insert(0, NoDeploy())
os.environ.update(
    DJANGO_SECRET_KEY="runtime-test-only", DJANGO_ALLOWED_HOSTS="localhost", DATABASE_URL="sqlite:///:memory:"
)
from project.wsgi import application
runpy.run_path("gunicorn.conf.py")
import project.healthcheck
from django.conf import settings
from django.core.management import call_command
call_command("check")
print(sorted(name for name in sys.modules if name.split(".")[0] == "deploy"), "deploy" in settings.INSTALLED_APPS)
"""


def test_the_image_does_not_copy_deploy():
    assert not any(source.split("/")[0] == "deploy" for source in read_image_contract().copy_sources)


def test_server_settings_and_health_check_run_without_deploy():
    result = subprocess.run(
        [sys.executable, "-c", RUNTIME_WITHOUT_DEPLOY],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "project.settings.production"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["[]", "False"]
