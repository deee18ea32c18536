"""The operator policy as the synthesized ECS stack has it, and the authorizations the runbook's calls need
beyond those the release makes (``tests.support.iam_requests`` models those).

Actions, resources and condition keys follow the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
- ``ecs:ListTasks``: no resource-level permission, scoped by ``ecs:cluster``.
- ``ecs:ExecuteCommand``: on the cluster and on the task
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html, "Using IAM policies to limit access").
- ``ecs:RunTask`` of a task definition with roles also needs ``iam:PassRole`` on each, passed to
  ``ecs-tasks.amazonaws.com`` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
- ``ssm:StartSession``: on the target (an ECS task, named ``ecs:<cluster>_<task>_<runtime id>``) and on the
  session document (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-quickstart.html).
- ``logs:FilterLogEvents``: on the log group.
- ``cloudwatch:DescribeAlarms``: on every alarm
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/permissions-reference-cw.html).
- ``elasticloadbalancing:DescribeTargetHealth``: no resource-level permission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from moto.codedeploy.models import codedeploy_backends
from moto.ecs.models import ecs_backends

from deploy.config import StackPart
from tests.deploy.bluegreen.lifecycle import ACCOUNT
from tests.deploy.infra.synthesis import synthesized
from tests.support.iam_policy import Intrinsics, Request
from tests.support.iam_requests import Account, api_requests

# The roles the emulated account's task definition names (tests.deploy.bluegreen.stacks).
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/execution"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/task"


def operator_policy(env: str, region: str) -> list[dict]:
    """The resolved statements of ``TextMessaging-<env>-Operator`` from the session's one synthesis."""
    template = synthesized(env).template_json(StackPart.SERVICE)
    resources = template["Resources"]
    (policy,) = [r for r in resources.values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    roles = {
        logical_id: arn
        for prefix, arn in (("WebServiceExecutionRole", EXECUTION_ROLE), ("WebServiceTaskRole", TASK_ROLE))
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role" and logical_id.startswith(prefix)
    }
    intrinsics = Intrinsics(
        refs={
            "AWS::Partition": "aws",
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com",
        },
        imports=lambda name: name,
        attributes={(logical_id, "Arn"): arn for logical_id, arn in roles.items()},
    )
    return [intrinsics.resolve(statement) for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def account(region: str) -> Account:
    def deployment_group_of(deployment_id: str) -> str:
        record = codedeploy_backends[ACCOUNT][region].deployments[deployment_id]
        return f"{record.application_name}/{record.deployment_group_name}"

    return Account(account=ACCOUNT, region=region, deployment_group_of=deployment_group_of)


def operator_requests(account: Account, service: str, operation: str, params: Mapping[str, Any]) -> list[Request]:
    handler = _HANDLERS.get((service, operation))
    requests = handler(account, params) if handler else api_requests(account, service, operation, params)
    if (service, operation) == ("ecs", "RunTask"):
        requests += _pass_task_roles(account, params)
    return requests


def _cluster(account: Account, params: Mapping[str, Any]) -> str:
    cluster = params.get("cluster", "default")
    return cluster if cluster.startswith("arn:") else account.arn("ecs", f"cluster/{cluster}")


def _task(account: Account, cluster_arn: str, task: str) -> str:
    return task if task.startswith("arn:") else account.arn("ecs", f"task/{cluster_arn.rsplit('/', 1)[-1]}/{task}")


def _list_tasks(account: Account, params: Mapping[str, Any]) -> list[Request]:
    return [Request("ecs:ListTasks", "*", {"ecs:cluster": _cluster(account, params)})]


def _execute_command(account: Account, params: Mapping[str, Any]) -> list[Request]:
    cluster = _cluster(account, params)
    return [
        Request("ecs:ExecuteCommand", cluster),
        Request("ecs:ExecuteCommand", _task(account, cluster, params["task"])),
    ]


def _start_session(account: Account, params: Mapping[str, Any]) -> list[Request]:
    cluster, task, _ = params["Target"].removeprefix("ecs:").split("_", 2)
    document = f"arn:aws:ssm:{account.region}::document/{params['DocumentName']}"
    return [
        Request("ssm:StartSession", account.arn("ecs", f"task/{cluster}/{task}")),
        Request("ssm:StartSession", document, reason="the session document"),
    ]


def _filter_log_events(account: Account, params: Mapping[str, Any]) -> list[Request]:
    return [Request("logs:FilterLogEvents", account.arn("logs", f"log-group:{params['logGroupName']}"))]


def _describe_alarms(account: Account, params: Mapping[str, Any]) -> list[Request]:
    return [Request("cloudwatch:DescribeAlarms", account.arn("cloudwatch", "alarm:*"))]


def _pass_task_roles(account: Account, params: Mapping[str, Any]) -> list[Request]:
    definitions = ecs_backends[ACCOUNT][account.region].task_definitions
    family, revision = params["taskDefinition"].rsplit("/", 1)[-1].split(":")
    definition = definitions[family][int(revision)]
    return [
        Request("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"}, reason="the task's roles")
        for role in (getattr(definition, "task_role_arn", None), getattr(definition, "execution_role_arn", None))
        if role
    ]


_HANDLERS: dict[tuple[str, str], Callable[[Account, Mapping[str, Any]], list[Request]]] = {
    ("ecs", "ListTasks"): _list_tasks,
    ("ecs", "ExecuteCommand"): _execute_command,
    ("ssm", "StartSession"): _start_session,
    ("logs", "FilterLogEvents"): _filter_log_events,
    ("monitoring", "DescribeAlarms"): _describe_alarms,
    ("elasticloadbalancing", "DescribeTargetHealth"): lambda account, params: [
        Request("elasticloadbalancing:DescribeTargetHealth")
    ],
}
