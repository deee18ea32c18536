"""The post limit on SQLite, the local default, which cannot write from a ``WITH`` clause: the count and the
insert run as two statements in one transaction, and answer as the one statement does on PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Run in a process of its own: the suite's database is PostgreSQL when DATABASE_URL names one.
POSTS = """
import json
import django
django.setup()
from django.core.management import call_command
from rest_framework.test import APIClient
from messaging.models import ClientPostWindow, Message
call_command("migrate", verbosity=0)
api = APIClient()
def post(content, client="203.0.113.9"):
    body = {"sender": "a", "content": content}
    return api.post("/messages", body, format="json", HTTP_X_FORWARDED_FOR=client)
statuses = [post(str(n)).status_code for n in range(3)]
malformed = api.post("/messages", {"sender": "a"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code
refused = post("over")
print(json.dumps({
    "statuses": statuses,
    "malformed": malformed,
    "refused": refused.status_code,
    "retry_after": int(refused["Retry-After"]),
    "other_client": post("other", client="203.0.113.10").status_code,
    "stored": sorted(Message.objects.values_list("content", flat=True)),
    "counted": ClientPostWindow.objects.get(client="203.0.113.9").posts,
}))
"""


def test_on_sqlite_posts_past_the_allowance_are_counted_refused_and_store_nothing(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'local.sqlite3'}",
        "MESSAGES_POST_RATE": "3/min",
        "LOG_LEVEL": "WARNING",
    }
    ran = subprocess.run(
        [sys.executable, "-c", POSTS], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert ran.returncode == 0, ran.stderr
    outcome = json.loads(ran.stdout.strip().splitlines()[-1])
    assert outcome["statuses"] == [201, 201, 201]
    assert outcome["malformed"] == 400
    assert outcome["refused"] == 429
    assert 0 < outcome["retry_after"] <= 60
    assert outcome["other_client"] == 201
    assert outcome["stored"] == ["0", "1", "2", "other"]
    assert outcome["counted"] == 4
