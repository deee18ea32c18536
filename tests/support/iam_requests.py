"""The IAM authorizations AWS makes for one API call: its own action on the resource it names, plus what the
API references document for particular parameters.

Actions, resource ARNs and condition keys follow the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html);
an action without resource-level permissions is asked on ``*``. An operation not listed here raises, so a
command that starts calling something new cannot slip past the policy unchecked.

Parameter-dependent permissions:
- ``CreateDeployment`` with ``overrideAlarmConfiguration`` also needs ``codedeploy:UpdateDeploymentGroup``
  (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_CreateDeployment.html).
- ``RegisterTaskDefinition`` with ``taskRoleArn``/``executionRoleArn`` needs ``iam:PassRole`` on each role,
  passed to ``ecs-tasks.amazonaws.com``
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
- ``RegisterTaskDefinition`` with ``tags`` needs ``ecs:TagResource`` with ``ecs:CreateAction``
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html).
- An image push needs ``ecr:BatchGetImage`` beside the layer actions
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html): ``ecr_push_requests``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.iam_policy import Request

# The push a `docker push` (or BuildKit) makes, in the order the ECR guide lists its policy.
ECR_PUSH_ACTIONS = (
    "ecr:CompleteLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:InitiateLayerUpload",
    "ecr:BatchCheckLayerAvailability",
    "ecr:PutImage",
    "ecr:BatchGetImage",
)


class UnmodelledOperationError(Exception):
    """A call this module does not know the authorization of."""


@dataclass(frozen=True, kw_only=True)
class Account:
    account: str
    region: str
    # The deployment group (``application/group``) a deployment ID belongs to, as CodeDeploy records it.
    deployment_group_of: Callable[[str], str]

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"


def api_requests(account: Account, service: str, operation: str, params: Mapping[str, Any]) -> list[Request]:
    """Every authorization AWS makes for ``operation`` called with ``params`` (JSON or query form)."""
    handler = _HANDLERS.get((service, operation))
    if handler is None:
        raise UnmodelledOperationError(f"{service}:{operation} has no modelled authorization")
    return handler(account, params)


def ecr_push_requests(account: Account, repository: str) -> list[Request]:
    return [Request(action, account.arn("ecr", f"repository/{repository}")) for action in ECR_PUSH_ACTIONS] + [
        Request("ecr:GetAuthorizationToken")
    ]


def _ecs_name(value: str) -> str:
    return value.rsplit("/", 1)[-1]


def _cluster_arn(account: Account, params: Mapping[str, Any]) -> str:
    cluster = params.get("cluster", "default")
    return cluster if cluster.startswith("arn:") else account.arn("ecs", f"cluster/{cluster}")


def _task_arn(account: Account, params: Mapping[str, Any], task: str) -> str:
    if task.startswith("arn:"):
        return task
    return account.arn("ecs", f"task/{_ecs_name(_cluster_arn(account, params))}/{task}")


def _task_definition_arn(account: Account, value: str) -> str:
    return value if value.startswith("arn:") else account.arn("ecs", f"task-definition/{value}")


def _describe_services(account: Account, params: Mapping[str, Any]) -> list[Request]:
    cluster = _ecs_name(_cluster_arn(account, params))
    return [
        Request("ecs:DescribeServices", account.arn("ecs", f"service/{cluster}/{_ecs_name(service)}"))
        for service in params["services"]
    ]


def _register_task_definition(account: Account, params: Mapping[str, Any]) -> list[Request]:
    requests = [Request("ecs:RegisterTaskDefinition")]
    for key in ("taskRoleArn", "executionRoleArn"):
        if params.get(key):
            requests.append(
                Request(
                    "iam:PassRole",
                    params[key],
                    {"iam:PassedToService": "ecs-tasks.amazonaws.com"},
                    reason=f"{key} is passed to ECS",
                )
            )
    if params.get("tags"):
        # The revision's number is ECS's to give: any revision of the family.
        requests.append(
            Request(
                "ecs:TagResource",
                account.arn("ecs", f"task-definition/{params['family']}:*"),
                {"ecs:CreateAction": "RegisterTaskDefinition"},
                reason="tags on create",
            )
        )
    return requests


def _run_task(account: Account, params: Mapping[str, Any]) -> list[Request]:
    return [
        Request(
            "ecs:RunTask",
            _task_definition_arn(account, params["taskDefinition"]),
            {"ecs:cluster": _cluster_arn(account, params)},
        )
    ]


def _describe_tasks(account: Account, params: Mapping[str, Any]) -> list[Request]:
    return [
        Request("ecs:DescribeTasks", _task_arn(account, params, task), {"ecs:cluster": _cluster_arn(account, params)})
        for task in params["tasks"]
    ]


def _stop_task(account: Account, params: Mapping[str, Any]) -> list[Request]:
    return [
        Request(
            "ecs:StopTask", _task_arn(account, params, params["task"]), {"ecs:cluster": _cluster_arn(account, params)}
        )
    ]


def _deployment_group_arn(account: Account, application: str, group: str) -> str:
    return account.arn("codedeploy", f"deploymentgroup:{application}/{group}")


def _on_group(action: str) -> Callable[[Account, Mapping[str, Any]], list[Request]]:
    def requests(account: Account, params: Mapping[str, Any]) -> list[Request]:
        return [
            Request(action, _deployment_group_arn(account, params["applicationName"], params["deploymentGroupName"]))
        ]

    return requests


def _on_deployment(action: str) -> Callable[[Account, Mapping[str, Any]], list[Request]]:
    """Actions on a deployment are authorized on its deployment group."""

    def requests(account: Account, params: Mapping[str, Any]) -> list[Request]:
        ids = params.get("deploymentIds") or [params["deploymentId"]]
        groups = dict.fromkeys(account.deployment_group_of(deployment_id) for deployment_id in ids)
        return [Request(action, account.arn("codedeploy", f"deploymentgroup:{group}")) for group in groups]

    return requests


def _create_deployment(account: Account, params: Mapping[str, Any]) -> list[Request]:
    group = _deployment_group_arn(account, params["applicationName"], params["deploymentGroupName"])
    requests = [Request("codedeploy:CreateDeployment", group)]
    if "overrideAlarmConfiguration" in params:
        requests.append(Request("codedeploy:UpdateDeploymentGroup", group, reason="overrideAlarmConfiguration"))
    return requests


def _get_deployment_config(account: Account, params: Mapping[str, Any]) -> list[Request]:
    name = params["deploymentConfigName"]
    return [Request("codedeploy:GetDeploymentConfig", account.arn("codedeploy", f"deploymentconfig:{name}"))]


def _describe_stacks(account: Account, params: Mapping[str, Any]) -> list[Request]:
    name = params.get("StackName")
    if not name:
        return [Request("cloudformation:DescribeStacks")]
    # By name the stack's ID suffix is not in the request: any stack of that name.
    resource = name if name.startswith("arn:") else account.arn("cloudformation", f"stack/{name}/*")
    return [Request("cloudformation:DescribeStacks", resource)]


def _get_log_events(account: Account, params: Mapping[str, Any]) -> list[Request]:
    group, stream = params["logGroupName"], params["logStreamName"]
    return [Request("logs:GetLogEvents", account.arn("logs", f"log-group:{group}:log-stream:{stream}"))]


def _on_security_group(action: str) -> Callable[[Account, Mapping[str, Any]], list[Request]]:
    def requests(account: Account, params: Mapping[str, Any]) -> list[Request]:
        return [Request(action, account.arn("ec2", f"security-group/{params['GroupId']}"))]

    return requests


def _unscoped(action: str) -> Callable[[Account, Mapping[str, Any]], list[Request]]:
    return lambda account, params: [Request(action)]


_HANDLERS: dict[tuple[str, str], Callable[[Account, Mapping[str, Any]], list[Request]]] = {
    ("cloudformation", "DescribeStacks"): _describe_stacks,
    ("ecs", "DescribeServices"): _describe_services,
    ("ecs", "DescribeTaskDefinition"): _unscoped("ecs:DescribeTaskDefinition"),
    ("ecs", "ListTaskDefinitions"): _unscoped("ecs:ListTaskDefinitions"),
    ("ecs", "RegisterTaskDefinition"): _register_task_definition,
    ("ecs", "RunTask"): _run_task,
    ("ecs", "DescribeTasks"): _describe_tasks,
    ("ecs", "StopTask"): _stop_task,
    ("codedeploy", "GetDeploymentGroup"): _on_group("codedeploy:GetDeploymentGroup"),
    ("codedeploy", "ListDeployments"): _on_group("codedeploy:ListDeployments"),
    ("codedeploy", "CreateDeployment"): _create_deployment,
    ("codedeploy", "GetDeploymentConfig"): _get_deployment_config,
    ("codedeploy", "GetDeployment"): _on_deployment("codedeploy:GetDeployment"),
    ("codedeploy", "BatchGetDeployments"): _on_deployment("codedeploy:BatchGetDeployments"),
    ("codedeploy", "ContinueDeployment"): _on_deployment("codedeploy:ContinueDeployment"),
    ("codedeploy", "StopDeployment"): _on_deployment("codedeploy:StopDeployment"),
    ("codedeploy", "ListDeploymentTargets"): _on_deployment("codedeploy:ListDeploymentTargets"),
    ("codedeploy", "BatchGetDeploymentTargets"): _on_deployment("codedeploy:BatchGetDeploymentTargets"),
    ("elasticloadbalancing", "DescribeListeners"): _unscoped("elasticloadbalancing:DescribeListeners"),
    ("ec2", "DescribeSecurityGroupRules"): _unscoped("ec2:DescribeSecurityGroupRules"),
    ("ec2", "AuthorizeSecurityGroupIngress"): _on_security_group("ec2:AuthorizeSecurityGroupIngress"),
    ("ec2", "RevokeSecurityGroupIngress"): _on_security_group("ec2:RevokeSecurityGroupIngress"),
    ("logs", "GetLogEvents"): _get_log_events,
}
