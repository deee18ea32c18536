"""A management command in a one-off Fargate task of the live revision, placed as the service's tasks are.

Like the release's migration task (``deploy.bluegreen.migration``), the task is stopped however this ends
before ECS reports it stopped; unlike it, its log is streamed while it runs, and its exit code is the
caller's. Environment values passed to it are secrets: their names are reported, never their values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.errors import AwsCallError
from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.migration import log_stream, task_id
from deploy.bluegreen.plan import task_definition_name
from deploy.config import EnvironmentConfig
from deploy.operations.environment import deployed_service
from deploy.operations.errors import INTERRUPTED_EXIT_CODE, TaskExitError
from deploy.operations.gateways import OperationsGateways

# ECS takes the task's startedBy as who ran it; status and ListTasks tell such tasks from the service's.
STARTED_BY = "manage.py-run"
# A task pulling its image or running a long command stays in one status for minutes: say it is still awaited.
HEARTBEAT_SECONDS = 30


@dataclass(frozen=True, kw_only=True)
class OneOffResult:
    task_id: str
    task_definition: str
    exit_code: int


def one_off_command(manage_args: tuple[str, ...]) -> list[str]:
    """The container's command: the image's ``manage.py`` with the operator's arguments."""
    return ["python", "manage.py", *manage_args]


def one_off_run(
    config: EnvironmentConfig,
    *,
    gateways: OperationsGateways,
    manage_args: tuple[str, ...],
    environment: Mapping[str, str],
    timeout_seconds: float,
    poll_interval: float,
    progress: Progress,
    output: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    check_interrupt: Callable[[], None] = lambda: None,
) -> OneOffResult:
    """Run ``manage.py <manage_args>`` with ``environment`` added; stream its log to ``output``; raise
    ``TaskExitError`` (carrying the container's exit code) unless it exits 0.

    An interrupt is taken where ``check_interrupt`` or ``sleep`` raises it (``deploy.bluegreen.interrupts``):
    before the task is started, nothing is; after, the task is stopped.
    """
    deployed = deployed_service(config, gateways=gateways)
    arn = deployed.live_task_definition
    definition, _ = gateways.ecs.task_definition(arn)
    command = one_off_command(manage_args)
    progress(Event(Level.STEP, f"Running {' '.join(command)} with {task_definition_name(arn)}"))
    if environment:
        progress(Event(Level.INFO, f"  with {', '.join(sorted(environment))} from your environment"))
    override: dict[str, Any] = {"name": config.container_name, "command": command}
    if environment:
        override["environment"] = [{"name": name, "value": value} for name, value in environment.items()]
    check_interrupt()
    task = gateways.ecs.run_task(
        started_by=STARTED_BY,
        cluster=deployed.cluster,
        taskDefinition=arn,
        networkConfiguration=deployed.network_configuration,
        overrides={"containerOverrides": [override]},
        **deployed.placement,
    )
    task_arn = task["taskArn"]
    progress(Event(Level.INFO, f"  task {task_id(task_arn)} in {deployed.cluster}"))
    watch = _TaskWatch(
        gateways,
        cluster=deployed.cluster,
        task_arn=task_arn,
        stream=log_stream(definition, config.container_name, task_arn),
        progress=progress,
        output=output,
    )
    try:
        check_interrupt()
        stopped = watch.until_stopped(
            timeout_seconds=timeout_seconds, poll_interval=poll_interval, sleep=sleep, clock=clock
        )
    except KeyboardInterrupt:
        watch.stop("interrupted by the operator")
        raise TaskExitError(f"interrupted: stopped task {task_id(task_arn)}", exit_code=INTERRUPTED_EXIT_CODE) from None
    except BaseException:
        watch.stop("manage.py run failed")
        raise
    if stopped is None:
        watch.stop(f"did not finish within {timeout_seconds:g} s")
        raise TaskExitError(
            f"task {task_id(task_arn)} did not finish within {timeout_seconds:g} s; stopped it", exit_code=1
        )
    watch.drain()
    return _result(stopped, arn, config.container_name)


def _result(task: Mapping[str, Any], arn: str, container_name: str) -> OneOffResult:
    container = next((c for c in task.get("containers", []) if c.get("name") == container_name), {})
    exit_code = container.get("exitCode")
    if exit_code == 0:
        return OneOffResult(task_id=task_id(task["taskArn"]), task_definition=arn, exit_code=0)
    why = "; ".join(
        f"{label}: {value}"
        for label, value in [
            ("stop code", task.get("stopCode")),
            ("stopped reason", task.get("stoppedReason")),
            ("container reason", container.get("reason")),
        ]
        if value
    )
    ran = f"exited {exit_code}" if exit_code is not None else "never ran"
    raise TaskExitError(
        f"task {task_id(task['taskArn'])} {ran}" + (f"; {why}" if why else ""),
        exit_code=exit_code if exit_code else 1,
    )


class _TaskWatch:
    """Polls one task and its log stream; reports each status once and each log line once."""

    def __init__(
        self,
        gateways: OperationsGateways,
        *,
        cluster: str,
        task_arn: str,
        stream: dict[str, str] | None,
        progress: Progress,
        output: Callable[[str], None],
    ) -> None:
        self._gateways = gateways
        self._cluster = cluster
        self._task_arn = task_arn
        self._stream = stream
        self._progress = progress
        self._output = output
        self._token: str | None = None

    def until_stopped(
        self,
        *,
        timeout_seconds: float,
        poll_interval: float,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> dict[str, Any] | None:
        """The stopped task, or ``None`` past the timeout. Polled by hand rather than with the ``tasks_stopped``
        waiter: the log is read between polls, and a waiter's own budget would not be the operator's."""
        started = reported = clock()
        last_status = None
        while True:
            # None while ECS answers MISSING, as it may right after RunTask.
            task = self._gateways.ecs.task(cluster=self._cluster, task_arn=self._task_arn)
            status = task.get("lastStatus") if task else "MISSING"
            if status != last_status or clock() - reported >= HEARTBEAT_SECONDS:
                still = "still " if status == last_status else ""
                last_status, reported = status, clock()
                self._progress(
                    Event(
                        Level.INFO,
                        f"  task {task_id(self._task_arn)}: {still}{status} ({reported - started:.0f} s)"
                        + ("" if status == "STOPPED" else ", waiting for it to stop"),
                    )
                )
            self.drain()
            if task and status == "STOPPED":
                return task
            if clock() - started >= timeout_seconds:
                return None
            sleep(poll_interval)

    def drain(self) -> None:
        if not self._stream:
            return
        while True:
            events, token = self._gateways.logs.stream_events(**self._stream, token=self._token)
            for event in events:
                self._output(event.get("message", "").rstrip("\n"))
            # GetLogEvents answers the token it was given once the stream's end is reached.
            if not events or token == self._token:
                self._token = token
                return
            self._token = token

    def stop(self, reason: str) -> None:
        """Stop the task, never hiding the error that got us here; say so if even that fails."""
        try:
            self._gateways.ecs.stop_task(
                cluster=self._cluster, task_arn=self._task_arn, reason=f"manage.py run: {reason}"
            )
        except AwsCallError as error:
            self._progress(
                Event(
                    Level.ERROR,
                    f"  could not stop task {task_id(self._task_arn)} ({error}); stop it by hand: "
                    f"aws ecs stop-task --cluster {self._cluster} --task {self._task_arn}",
                )
            )
        else:
            self._progress(Event(Level.WARNING, f"  stopped task {task_id(self._task_arn)}"))
