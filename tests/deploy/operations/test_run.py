"""``manage.py run`` against the emulated account: a one-off task of the live revision, its log, its exit code."""

import io
import os
import signal
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deploy.bluegreen.interrupts import interrupts_noted
from deploy.operations.gateways import TasksGateway
from tests.deploy.operations.conftest import CONFIG

PASSWORD = "correct horse battery staple"


def run_task_call(environment):
    (call,) = [c for c in environment.proxy.calls if c.operation == "RunTask"]
    return call.params


def test_a_command_runs_in_a_one_off_task_of_the_live_revision_placed_like_the_service(environment):
    # The service runs revision 2 (its PRIMARY deployment's); revision 1 is older.
    live = environment.new_live_revision()
    environment.lifecycle.one_off_lines = ["[X] 0001_initial", "[X] 0002_message_sender_index"]

    out = environment.call("run", "--poll-interval", "0.05", "--", "showmigrations", "messaging")

    params = run_task_call(environment)
    assert params["taskDefinition"] == live
    assert params["startedBy"] == "manage.py-run"
    assert params["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == environment.stacks.subnets
    assert params["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [
        environment.stacks.security_group
    ]
    assert params["launchType"] == "FARGATE"
    (override,) = params["overrides"]["containerOverrides"]
    assert override == {
        "name": CONFIG.container_name,
        "command": ["python", "manage.py", "showmigrations", "messaging"],
    }
    assert "[X] 0001_initial\n[X] 0002_message_sender_index\n" in out
    assert out.rstrip().endswith("exited 0.")


def test_createsuperuser_gets_the_password_from_the_environment_and_never_shows_it(environment, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    out = environment.call(
        "run", "--poll-interval", "0.05", "--", "createsuperuser", "--noinput", "--username", "admin"
    )

    (override,) = run_task_call(environment)["overrides"]["containerOverrides"]
    assert override["environment"] == [{"name": "DJANGO_SUPERUSER_PASSWORD", "value": PASSWORD}]
    assert "DJANGO_SUPERUSER_PASSWORD from your environment" in out
    assert PASSWORD not in out


def test_without_the_password_and_no_terminal_it_refuses_before_any_call(environment):
    with pytest.raises(CommandError, match="set DJANGO_SUPERUSER_PASSWORD in your environment"):
        environment.call("run", "--", "createsuperuser", "--noinput", "--username", "admin")
    assert environment.proxy.calls == []


def test_the_containers_exit_code_is_the_commands_with_the_reason(environment):
    environment.lifecycle.one_off_exit_code = 3
    environment.lifecycle.one_off_lines = ["CommandError: No installed app with label 'nope'."]
    out = io.StringIO()

    with pytest.raises(CommandError, match="exited 3; stop code: EssentialContainerExited") as raised:
        call_command("run", "--poll-interval", "0.05", "--", "showmigrations", "nope", stdout=out, stderr=out)

    assert raised.value.returncode == 3
    assert "CommandError: No installed app with label 'nope'." in out.getvalue()


def test_ctrl_c_stops_the_task_and_says_so(environment):
    environment.lifecycle.one_off_stops_after = None  # runs until stopped
    process = environment.start("run", "--poll-interval", "0.05", "--", "clearsessions")
    deadline = time.monotonic() + 30
    while "RunTask" not in environment.proxy.writes() and time.monotonic() < deadline:
        time.sleep(0.05)

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "interrupted: stopped task" in stderr
    (stop,) = [c.params for c in environment.proxy.calls if c.operation == "StopTask"]
    assert stop["reason"] == "manage.py run: interrupted by the operator"
    assert environment.moto_task(stop["task"]).last_status == "STOPPED"


def test_a_task_past_its_timeout_is_stopped(environment):
    environment.lifecycle.one_off_stops_after = None

    with pytest.raises(CommandError, match=r"did not finish within 0.3 s; stopped it"):
        environment.call("run", "--timeout", "0.3", "--poll-interval", "0.05", "--", "clearsessions")
    assert environment.proxy.writes() == ["RunTask", "StopTask"]


def test_ctrl_c_the_moment_the_task_starts_still_stops_it(environment, monkeypatch):
    """The interrupt arrives as RunTask returns, before the task's ARN is even read: noted, it is taken
    once the task is known, and the task is stopped; raised where it arrived, the task ran on unstopped."""
    environment.lifecycle.one_off_stops_after = None  # runs until stopped
    start = TasksGateway.run_task

    def start_then_interrupt(self, **kwargs):
        task = start(self, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return task

    monkeypatch.setattr(TasksGateway, "run_task", start_then_interrupt)

    with pytest.raises(CommandError, match="interrupted: stopped task") as interrupted:
        environment.call("run", "--poll-interval", "0.05", "--", "clearsessions")

    assert interrupted.value.returncode == 130
    assert environment.proxy.writes() == ["RunTask", "StopTask"]
    (stop,) = [c.params for c in environment.proxy.calls if c.operation == "StopTask"]
    assert environment.moto_task(stop["task"]).last_status == "STOPPED"


def test_noted_interrupts_are_raised_where_checked_and_cut_a_sleep_short():
    before = signal.getsignal(signal.SIGINT)
    with interrupts_noted() as interrupts:
        os.kill(os.getpid(), signal.SIGINT)  # noted, not raised here
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            interrupts.sleep(30)
        assert time.monotonic() - started < 1
    assert signal.getsignal(signal.SIGINT) is before
