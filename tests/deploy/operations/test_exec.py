"""``manage.py exec`` against the emulated account, with a recording stand-in for the session-manager-plugin
that checks the exact arguments the AWS CLI would give it."""

import json
import re
import runpy
import shlex
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deploy.operations.session import DEFAULT_SHELL, port_forward_parse
from deploy.proxy.render import render
from project.runtime import APP_PORT, HEALTH_CHECK_COMMAND
from tests.deploy.operations.conftest import CONFIG

ROOT = Path(__file__).resolve().parents[3]

DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"
PLUGIN = """#!{python}
import json, os, sys
with open(os.environ["PLUGIN_RECORD"], "w") as record:
    json.dump(sys.argv[1:], record)
sys.exit(int(os.environ.get("PLUGIN_EXIT", "0")))
"""


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A session-manager-plugin on PATH that records its arguments; ``read()`` returns them."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    executable = bin_dir / "session-manager-plugin"
    executable.write_text(PLUGIN.format(python=sys.executable))
    executable.chmod(0o755)
    record = tmp_path / "record.json"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("PLUGIN_RECORD", str(record))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return type("Plugin", (), {"path": str(executable), "read": staticmethod(lambda: json.loads(record.read_text()))})


def test_exec_opens_a_shell_in_a_service_task_as_the_aws_cli_does(environment, plugin):
    task = environment.service_task()

    out = environment.call("exec")

    (call,) = [c.params for c in environment.proxy.calls if c.operation == "ExecuteCommand"]
    assert call == {
        "cluster": CONFIG.cluster_name,
        "task": task.task_arn,
        "container": CONFIG.container_name,
        "interactive": True,
        "command": "/bin/sh",
    }
    arguments = plugin.read()
    session = json.loads(arguments[0])
    assert set(session) == {"sessionId", "streamUrl", "tokenValue"}
    assert arguments[1:] == [
        CONFIG.region,
        "StartSession",
        "",
        json.dumps({"Target": f"ecs:{CONFIG.cluster_name}_{task.id}_{task.containers[0].runtime_id}"}),
        environment.proxy.url,
    ]
    assert "Session ended." in out


def test_exec_runs_a_command_in_the_task_named(environment, plugin):
    environment.service_task()
    chosen = environment.service_task()

    environment.call("exec", "--task", chosen.id, "--", "python", "manage.py", "check", "--deploy")

    (call,) = [c.params for c in environment.proxy.calls if c.operation == "ExecuteCommand"]
    assert call["task"] == chosen.task_arn
    assert call["command"] == "python manage.py check --deploy"


def test_port_forward_starts_a_session_to_the_tasks_port(environment, plugin):
    task = environment.service_task()

    out = environment.call("exec", "--port-forward", "8000:8080")

    target = f"ecs:{CONFIG.cluster_name}_{task.id}_{task.containers[0].runtime_id}"
    parameters = {"host": ["localhost"], "portNumber": ["8080"], "localPortNumber": ["8000"]}
    (call,) = [c.params for c in environment.proxy.calls if c.operation == "StartSession"]
    assert call == {"Target": target, "DocumentName": DOCUMENT, "Parameters": parameters}
    arguments = plugin.read()
    assert set(json.loads(arguments[0])) == {"SessionId", "TokenValue", "StreamUrl"}
    assert arguments[1:] == [
        CONFIG.region,
        "StartSession",
        "",
        json.dumps(
            {"Target": target, "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost", "Parameters": parameters}
        ),
        environment.proxy.url,
    ]
    assert "open http://127.0.0.1:8000/admin/" in out


def test_the_plugins_exit_code_is_the_commands(environment, plugin, monkeypatch):
    environment.service_task()
    monkeypatch.setenv("PLUGIN_EXIT", "7")

    with pytest.raises(CommandError, match="exit code 7") as raised:
        environment.call("exec")
    assert raised.value.returncode == 7


def test_a_missing_plugin_says_what_to_install_before_any_call(environment, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(CommandError, match=r"session-manager-plugin is not installed.*session-manager-working-with"):
        environment.call("exec")
    assert environment.proxy.calls == []


def test_a_task_started_without_exec_says_what_to_change(environment, plugin):
    environment.service_task(exec_enabled=False)

    with pytest.raises(CommandError, match=r"started without ECS Exec.*EnableExecuteCommand"):
        environment.call("exec")
    assert "ExecuteCommand" not in environment.proxy.operations()


def test_no_running_task_is_a_clear_error(environment, plugin):
    environment.stopped_task(
        stop_code="TaskFailedToStart", reason="ResourceInitializationError", exit_code=None, minutes_ago=1
    )

    with pytest.raises(
        CommandError, match=r"service text-messaging-dev has no running task: see why with manage\.py status"
    ):
        environment.call("exec")


def test_a_bad_port_pair_is_refused():
    with pytest.raises(CommandError, match="give LOCAL:REMOTE ports"):
        call_command("exec", "--port-forward", "admin")


def test_the_runbook_s_exec_commands_run_what_the_app_container_has():
    """exec opens the app container, whose image has Python and no wget or curl (project/healthcheck.py):
    its health check is the container's own command."""
    runbook = (ROOT / "docs" / "operations.md").read_text()
    commands = [shlex.split(found) for found in re.findall(r"manage\.py exec --env \w+ -- ([^`|\n]+)", runbook)]
    assert list(HEALTH_CHECK_COMMAND) in commands
    assert all(command[0] in {"python", DEFAULT_SHELL} for command in commands), commands


def test_the_default_port_forward_reaches_nginx_which_alone_listens_beyond_the_loopback():
    """The forward reaches the task's loopback; gunicorn listens there only, nginx on the container port."""
    assert f"listen {CONFIG.service.container_port} " in render(CONFIG)
    assert port_forward_parse("8000", default_remote=CONFIG.service.container_port).remote == 8080
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gunicorn["bind"] == [f"127.0.0.1:{APP_PORT}"]
