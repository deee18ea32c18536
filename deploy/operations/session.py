"""ECS Exec into a running task, or a port forward to it, through the Session Manager plugin.

The plugin is called as the AWS CLI calls it (awscli/customizations/ecs/executecommand.py and
awscli/customizations/sessionmanager.py): the session AWS answered as JSON, the region, ``StartSession``,
the profile, the request's parameters as JSON, and the endpoint the session was asked of.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.errors import AwsCallError
from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.migration import task_id
from deploy.config import EnvironmentConfig
from deploy.operations.environment import DeployedService, deployed_service
from deploy.operations.errors import BadInputError, ExecUnavailableError, NoRunningTaskError
from deploy.operations.gateways import OperationsGateways

PLUGIN = "session-manager-plugin"
PLUGIN_INSTALL_URL = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"
)
PORT_FORWARD_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"
# The task's containers share one network namespace (awsvpc), so the forward reaches every port of the task
# on its loopback: by default the container port, 8080, where nginx listens and passes requests on to
# gunicorn, which listens on 127.0.0.1:8000 only (gunicorn.conf.py, docs/adr/0013-buffering-proxy.md).
PORT_FORWARD_HOST = "localhost"
DEFAULT_SHELL = "/bin/sh"
EXEC_AGENT = "ExecuteCommandAgent"
# The plugin handles these itself (it forwards Ctrl-C to the remote shell); the AWS CLI ignores them too.
PLUGIN_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP)


@dataclass(frozen=True)
class PortForward:
    local: int
    remote: int


def port_forward_parse(text: str, *, default_remote: int) -> PortForward:
    """``LOCAL:REMOTE``, or ``LOCAL`` alone for the container's own port."""
    local, _, remote = text.partition(":")
    try:
        ports = PortForward(local=int(local), remote=int(remote) if remote else default_remote)
    except ValueError:
        raise BadInputError(f"--port-forward {text!r}: give LOCAL:REMOTE ports, e.g. 8000:8080") from None
    if not all(0 < port < 65536 for port in (ports.local, ports.remote)):
        raise BadInputError(f"--port-forward {text!r}: ports are 1-65535")
    return ports


def plugin_path(which: Callable[[str], str | None] = shutil.which) -> str:
    path = which(PLUGIN)
    if not path:
        raise ExecUnavailableError(
            f"{PLUGIN} is not installed (or not on PATH): install the Session Manager plugin for the AWS CLI, "
            f"{PLUGIN_INSTALL_URL}"
        )
    return path


def plugin_arguments(
    plugin: str, *, session: dict[str, Any], region: str, profile: str, parameters: dict[str, Any], endpoint_url: str
) -> list[str]:
    return [plugin, json.dumps(session), region, "StartSession", profile, json.dumps(parameters), endpoint_url]


def session_task(deployed: DeployedService, *, gateways: OperationsGateways, task: str | None) -> dict[str, Any]:
    """The task named, else a running task of the service, healthy and on the live revision first."""
    if task:
        found = gateways.ecs.tasks(cluster=deployed.cluster, task_arns=[task])
        if not found or found[0].get("lastStatus") != "RUNNING":
            state = found[0].get("lastStatus") if found else "not found"
            raise NoRunningTaskError(f"task {task} in {deployed.cluster} is {state}, not RUNNING")
        return found[0]
    service = deployed.service["serviceName"]
    arns = gateways.ecs.task_arns(cluster=deployed.cluster, service=service, desired_status="RUNNING")
    tasks = [
        t
        for t in (gateways.ecs.tasks(cluster=deployed.cluster, task_arns=arns) if arns else [])
        if t.get("group") == f"service:{service}" and t.get("lastStatus") == "RUNNING"
    ]
    if not tasks:
        raise NoRunningTaskError(
            f"service {service} has no running task: see why with manage.py status --env {deployed.config.name}"
        )
    live = deployed.live_task_definition
    tasks.sort(key=lambda t: (t.get("taskDefinitionArn") != live, t.get("healthStatus") != "HEALTHY"))
    return tasks[0]


def exec_ready_container(task: dict[str, Any], container_name: str) -> dict[str, Any]:
    """The app container, if ECS Exec can reach it; otherwise say what to change."""
    name = task_id(task["taskArn"])
    if not task.get("enableExecuteCommand"):
        raise ExecUnavailableError(
            f"task {name} was started without ECS Exec: the ECS stack turns it on for the service "
            "(EnableExecuteCommand); deploy the stack, then replace the tasks started before it "
            "(manage.py bluegreen_deploy --keep-image)"
        )
    container = next((c for c in task.get("containers", []) if c.get("name") == container_name), None)
    if container is None:
        raise ExecUnavailableError(f"task {name} has no container {container_name}")
    agent = next((a for a in container.get("managedAgents", []) if a.get("name") == EXEC_AGENT), {})
    if agent.get("lastStatus") != "RUNNING":
        raise ExecUnavailableError(
            f"the {EXEC_AGENT} of task {name} is {agent.get('lastStatus', 'absent')}: wait for the task to finish "
            "starting; if it stays so, the task role lacks the ssmmessages permissions or the task cannot reach "
            "the ssmmessages endpoint"
        )
    return container


@contextmanager
def plugin_signals_ignored() -> Iterator[None]:
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in PLUGIN_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def session_open(
    config: EnvironmentConfig,
    *,
    gateways: OperationsGateways,
    task: str | None,
    command: str,
    port_forward: PortForward | None,
    progress: Progress,
    call: Callable[[list[str]], int] = subprocess.call,
    which: Callable[[str], str | None] = shutil.which,
) -> int:
    """Open the session and hand the terminal to the plugin until it ends; return its exit code."""
    plugin = plugin_path(which)
    deployed = deployed_service(config, gateways=gateways)
    chosen = session_task(deployed, gateways=gateways, task=task)
    container = exec_ready_container(chosen, config.container_name)
    name = task_id(chosen["taskArn"])
    if port_forward:
        target = f"ecs:{deployed.cluster}_{name}_{container['runtimeId']}"
        parameters = {
            "host": [PORT_FORWARD_HOST],
            "portNumber": [str(port_forward.remote)],
            "localPortNumber": [str(port_forward.local)],
        }
        session = gateways.ssm.start_session(target=target, document=PORT_FORWARD_DOCUMENT, parameters=parameters)
        arguments = plugin_arguments(
            plugin,
            session=session,
            region=gateways.region,
            profile=gateways.profile,
            parameters={"Target": target, "DocumentName": PORT_FORWARD_DOCUMENT, "Parameters": parameters},
            endpoint_url=gateways.ssm.endpoint_url,
        )
        progress(
            Event(
                Level.SUCCESS,
                f"Forwarding 127.0.0.1:{port_forward.local} to port {port_forward.remote} of task {name}: "
                f"open http://127.0.0.1:{port_forward.local}/admin/ (Ctrl-C ends it)",
            )
        )
    else:
        try:
            response = gateways.ecs.execute_command(
                cluster=deployed.cluster, task_arn=chosen["taskArn"], container=config.container_name, command=command
            )
        except AwsCallError as error:
            if error.code == "InvalidParameterException":
                raise ExecUnavailableError(f"{error}\nsee manage.py status, and the task's ECS Exec agent") from error
            raise
        arguments = plugin_arguments(
            plugin,
            session=response["session"],
            region=gateways.region,
            profile=gateways.profile,
            parameters={"Target": f"ecs:{deployed.cluster}_{name}_{container['runtimeId']}"},
            endpoint_url=gateways.ecs.endpoint_url,
        )
        progress(Event(Level.INFO, f"Task {name}, container {config.container_name}: {command}"))
    with plugin_signals_ignored():
        return call(arguments)
