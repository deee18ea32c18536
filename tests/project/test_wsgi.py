"""project.wsgi: the application gunicorn preloads, with the URLs and the schema already loaded for every worker."""

import subprocess
import sys

from tests.support.dockerfile import REPO_ROOT

PROBE = (
    "import os, sys;"
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'project.settings.test';"
    "import project.wsgi;"
    "from django.urls import get_resolver;"
    "from messaging.api.schema_views import CachedSchemaView;"
    # _populated: the resolver has built its lookups (what reverse() would otherwise do on first use).
    "print('project.urls' in sys.modules, 'messaging.api.views' in sys.modules, get_resolver()._populated,"
    " len(CachedSchemaView.documents))"
)


def test_importing_the_application_loads_the_urls_and_builds_every_schema_format():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "4"]
