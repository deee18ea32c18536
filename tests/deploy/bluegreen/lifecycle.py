"""Stands in for the part of AWS that moto does not run: a CodeDeploy ECS blue/green deployment's lifecycle
and a one-off task's exit.

moto stores deployments but leaves them ``Created`` forever, answers no ``ContinueDeployment``,
``StopDeployment``, ``ListDeploymentTargets`` or ``BatchGetDeploymentTargets``, reports no error or
rollback, and its tasks always exit 0. This helper, called by ``AwsProxy`` for each request, moves a
deployment one state per ``GetDeployment`` through the states real CodeDeploy reports (Created →
InProgress → Ready, waiting for ContinueDeployment → InProgress → Succeeded, with the ECS target's
lifecycle events), or into Failed, or keeps it InProgress; a stop with rollback ends it ``Stopped`` and
starts a rollback deployment that succeeds, as CodeDeploy's automatic rollback does. It writes statuses
into moto's own records so ``ListDeployments`` filters agree, and on success points the service at the
new revision as CodeDeploy would.

It rewrites the group's listeners as CodeDeploy does (ADR 0014): at AllowTestTraffic the test listener,
at AllowTraffic the production listener, each to a weighted ``ForwardConfig`` with the replacement target
group at 100 and the original kept at 0; a rollback puts every listener it moved back the same way round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.codedeploy.models import codedeploy_backends
from moto.core.utils import unix_time_millis
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends
from moto.logs.models import logs_backends

from deploy.bluegreen.gateways import forward_weights

ACCOUNT = "123456789012"
EVENTS = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
]
_UNTIL_READY = [
    ("InProgress", {"BeforeInstall": "Succeeded", "Install": "InProgress"}),
    ("InProgress", {"Install": "Succeeded", "AfterInstall": "Succeeded", "AllowTestTraffic": "Succeeded"}),
    ("Ready", {"AfterAllowTestTraffic": "Succeeded"}),
]
_AFTER_CONTINUE = [
    ("InProgress", {"BeforeAllowTraffic": "Succeeded", "AllowTraffic": "InProgress"}),
    ("Succeeded", {"AllowTraffic": "Succeeded", "AfterAllowTraffic": "Succeeded"}),
]
SCRIPTS = {
    "succeed": [*_UNTIL_READY, *_AFTER_CONTINUE],
    "fail": [_UNTIL_READY[0], ("Failed", {"Install": "Failed"})],
    "hang": [_UNTIL_READY[0]],
    "unattended": [("InProgress", {"BeforeInstall": "Succeeded"}), ("Succeeded", dict.fromkeys(EVENTS, "Succeeded"))],
}
MIGRATION_ERROR = 'django.db.utils.ProgrammingError: column "sender" of relation "messaging_message" already exists'
FAILURE = {
    "code": "ECS_UPDATE_ERROR",
    "message": "The ECS service cannot reach a steady state: the replacement tasks failed their ELB health checks",
}


@dataclass
class _Deployment:
    script: list[tuple[str, dict[str, str]]]
    step: int = -1
    continued: bool = False
    events: dict[str, str] = field(default_factory=lambda: dict.fromkeys(EVENTS, "Pending"))
    error: dict[str, str] = field(default_factory=dict)
    rollback: dict[str, str] = field(default_factory=dict)
    rollback_reads: int = 0
    # CodeDeploy's rollback deployments move no listener: the stopped deployment's rollback already did.
    reroutes: bool = True
    # Target groups (original, replacement), fixed when the deployment starts; listeners moved so far.
    target_groups: tuple[str, str] | None = None
    moved: list[str] = field(default_factory=list)


class DeploymentLifecycle:
    """Scripted outcomes: ``outcome`` for the next deployments, ``migration_exit_code`` for one-off tasks
    (which run until stopped while ``migration_runs_on``)."""

    def __init__(self, *, region: str) -> None:
        self.region = region
        self.outcome = "succeed"
        self.migration_exit_code = 0
        self.migration_runs_on = False
        # GetDeployment reads of a failed or stopped deployment that still show no rollbackInfo.
        self.rollback_info_delay = 0
        self._deployments: dict[str, _Deployment] = {}

    def reset(self) -> None:
        self.outcome = "succeed"
        self.migration_exit_code = 0
        self.migration_runs_on = False
        self.rollback_info_delay = 0
        self._deployments.clear()

    # Called by the proxy.

    def answers(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        # moto compares createTimeRange's epoch seconds with its datetimes and fails: filtered here.
        if service == "codedeploy" and operation == "ListDeployments":
            return "createTimeRange" in params
        return service == "codedeploy" and operation in {
            "ContinueDeployment",
            "StopDeployment",
            "ListDeploymentTargets",
            "BatchGetDeploymentTargets",
        }

    def answer(self, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if operation == "ListDeployments":
            return 200, {"deployments": self._list_deployments(params)}
        deployment_id = params["deploymentId"]
        state = self._state(deployment_id)
        if operation == "ContinueDeployment":
            if self._record(deployment_id).status != "Ready":
                return 400, {"__type": "DeploymentIsNotInReadyStateException", "message": "not ready"}
            state.continued = True
            return 200, {}
        if operation == "StopDeployment":
            self._stop(deployment_id, state)
            return 200, {"status": "Succeeded", "statusMessage": "Deployment stopped; rolling back"}
        if operation == "ListDeploymentTargets":
            return 200, {"targetIds": [self._target_id()]}
        return 200, {
            "deploymentTargets": [
                {
                    "deploymentTargetType": "ECSTarget",
                    "ecsTarget": {
                        "deploymentId": deployment_id,
                        "targetId": self._target_id(),
                        "status": self._record(deployment_id).status,
                        "lifecycleEvents": [{"lifecycleEventName": n, "status": s} for n, s in state.events.items()],
                    },
                }
            ]
        }

    def refusal(self, service: str, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """CodeDeploy runs one deployment per group at a time: a second CreateDeployment is refused."""
        if service != "codedeploy" or operation != "CreateDeployment":
            return None
        backend = codedeploy_backends[ACCOUNT][self.region]
        active = [
            d
            for d in backend.deployments.values()
            if d.deployment_group_name == params.get("deploymentGroupName")
            and d.status not in {"Succeeded", "Failed", "Stopped"}
        ]
        if not active:
            return None
        message = f"The deployment group already has an active deployment: {active[0].deployment_id}"
        return 400, {"__type": "DeploymentLimitExceededException", "message": message}

    def before(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if service == "codedeploy" and operation == "GetDeployment":
            self._advance(params["deploymentId"])
        if service == "ecs" and operation == "DescribeTasks" and not self.migration_runs_on:
            for task in self._tasks(params["cluster"], params["tasks"]):
                self._finish_migration(task)

    def completes(self, service: str, operation: str) -> bool:
        return service == "codedeploy" and operation == "GetDeployment"

    def after(self, service: str, operation: str, params: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        if "deploymentInfo" in body:
            state = self._state(params["deploymentId"])
            body["deploymentInfo"]["errorInformation"] = state.error
            hidden = state.rollback and state.rollback_reads < self.rollback_info_delay
            if state.rollback:
                state.rollback_reads += 1
            body["deploymentInfo"]["rollbackInfo"] = {} if hidden else state.rollback
        return body

    # The lifecycle.

    def _state(self, deployment_id: str) -> _Deployment:
        if deployment_id not in self._deployments:
            self._deployments[deployment_id] = _Deployment(script=SCRIPTS[self.outcome])
        return self._deployments[deployment_id]

    def _advance(self, deployment_id: str) -> None:
        record, state = self._record(deployment_id), self._state(deployment_id)
        if record.status in {"Succeeded", "Failed", "Stopped"} or (record.status == "Ready" and not state.continued):
            return
        if state.step + 1 >= len(state.script):
            return
        state.step += 1
        record.status, events = state.script[state.step]
        state.events.update(events)
        if state.reroutes:
            self._reroute(record, state)
        if record.status == "Failed":
            state.error = dict(FAILURE)
            self._roll_back(deployment_id, state)
        if record.status == "Succeeded":
            self._point_service_at(record.revision)

    def _stop(self, deployment_id: str, state: _Deployment) -> None:
        self._record(deployment_id).status = "Stopped"
        state.error = {"code": "DEPLOYMENT_STOPPED", "message": "The deployment was stopped by a user request"}
        self._roll_back(deployment_id, state)

    def _roll_back(self, deployment_id: str, state: _Deployment) -> None:
        record = self._record(deployment_id)
        backend = codedeploy_backends[ACCOUNT][self.region]
        rollback_id = backend.create_deployment(record.application_name, record.deployment_group_name, {})
        backend.deployments[rollback_id].creator = "codeDeployRollback"
        self._deployments[rollback_id] = _Deployment(script=SCRIPTS["unattended"], reroutes=False)
        if state.target_groups:
            original, replacement = state.target_groups
            for listener in state.moved:
                self._forward(listener, live=original, idle=replacement)
        state.rollback = {
            "rollbackDeploymentId": rollback_id,
            "rollbackMessage": f"Deployment {deployment_id} rolled back by {rollback_id}",
        }

    def _reroute(self, record: Any, state: _Deployment) -> None:
        """Move the test listener at AllowTestTraffic and the production one at AllowTraffic."""
        pair = self._target_group_pair(record)
        if pair is None:
            return
        production, test, groups = pair
        if state.target_groups is None:
            live = [arn for arn, weight in self._weights(production).items() if weight > 0]
            original = live[0] if len(live) == 1 and live[0] in groups else groups[0]
            state.target_groups = (original, next(arn for arn in groups if arn != original))
        original, replacement = state.target_groups
        for event, listener in (("AllowTestTraffic", test), ("AllowTraffic", production)):
            if state.events.get(event) == "Succeeded" and listener not in state.moved:
                self._forward(listener, live=replacement, idle=original)
                state.moved.append(listener)

    def _target_group_pair(self, record: Any) -> tuple[str, str, list[str]] | None:
        """The group's production and test listeners and its two target groups' ARNs."""
        group = record.deployment_group
        pairs = (group.load_balancer_info or {}).get("targetGroupPairInfoList") or []
        if not pairs:
            return None
        names = [tg["name"] for tg in pairs[0]["targetGroups"]]
        by_name = {tg.name: arn for arn, tg in elbv2_backends[ACCOUNT][self.region].target_groups.items()}
        return (
            pairs[0]["prodTrafficRoute"]["listenerArns"][0],
            pairs[0]["testTrafficRoute"]["listenerArns"][0],
            [by_name[name] for name in names],
        )

    def _weights(self, listener_arn: str) -> dict[str, int]:
        (listener,) = elbv2_backends[ACCOUNT][self.region].describe_listeners(
            load_balancer_arn=None, listener_arns=[listener_arn]
        )
        return forward_weights([action.data for action in listener.default_actions])

    def _forward(self, listener_arn: str, *, live: str, idle: str) -> None:
        """The shape CodeDeploy leaves since late 2022: both groups named, the live one at 100, the other at 0."""
        groups = [{"TargetGroupArn": live, "Weight": 100}, {"TargetGroupArn": idle, "Weight": 0}]
        elbv2_backends[ACCOUNT][self.region].modify_listener(
            listener_arn, actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]
        )

    def _point_service_at(self, revision: dict[str, Any]) -> None:
        if not revision:  # a rollback: the service never left its revision
            return
        appspec = json.loads(revision["appSpecContent"]["content"])
        arn = appspec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"]
        for service in ecs_backends[ACCOUNT][self.region].services.values():
            service.task_definition = arn

    def _finish_migration(self, task: Any) -> None:
        if task.status == "STOPPED":
            return
        task.status = "STOPPED"
        task.stopped_reason = "Essential container in task exited"
        for container in task.containers:
            container.last_status = "STOPPED"
            container.exitCode = self.migration_exit_code
        if self.migration_exit_code:
            # What the awslogs driver would have shipped from the failing container.
            logs = logs_backends[ACCOUNT][self.region]
            # Under the stream prefix of the task's own definition, as the awslogs driver names it.
            definition = ecs_backends[ACCOUNT][self.region].describe_task_definition(task.task_definition_arn)
            prefix = definition.container_definitions[0]["logConfiguration"]["options"]["awslogs-stream-prefix"]
            stream = f"{prefix}/{task.containers[0].name}/{task.id}"
            logs.create_log_stream("/ecs/text-messaging-dev", stream)
            logs.put_log_events(
                "/ecs/text-messaging-dev",
                stream,
                [{"timestamp": unix_time_millis(), "message": MIGRATION_ERROR}],
            )

    def _tasks(self, cluster: str, arns: list[str]) -> list[Any]:
        tasks = ecs_backends[ACCOUNT][self.region].tasks.get(cluster.rsplit("/", 1)[-1], {})
        return [task for arn, task in tasks.items() if arn in arns]

    def _record(self, deployment_id: str) -> Any:
        return codedeploy_backends[ACCOUNT][self.region].deployments[deployment_id]

    def _list_deployments(self, params: dict[str, Any]) -> list[str]:
        start = datetime.fromtimestamp(params["createTimeRange"].get("start", 0), UTC).replace(tzinfo=None)
        statuses = params.get("includeOnlyStatuses") or []
        return [
            d.deployment_id
            for d in codedeploy_backends[ACCOUNT][self.region].deployments.values()
            if d.deployment_group_name == params.get("deploymentGroupName")
            and (not statuses or d.status in statuses)
            and d.create_time >= start
        ]

    def _target_id(self) -> str:
        return "text-messaging-dev:text-messaging-dev"
