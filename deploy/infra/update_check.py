"""What a stack update may change once CodeDeploy releases the service: the rule ``check_infra_update`` applies.

CodeDeploy rewrites the listeners' default actions at every release (the live target group at weight 100,
the other at 0) while CloudFormation keeps the ones the template had when it last wrote them. An update
that touches a listener sends the template's actions back to AWS, pointing production at the target group
CloudFormation remembers, which may be the empty or old one. And under the CODE_DEPLOY controller ECS
accepts only a few service properties in an update; the others (task definition, network, load
balancers, platform) fail the update, since CodeDeploy alone changes them. ADR 0017 has the sources.
Nothing here imports ``aws_cdk``: it compares two templates as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LISTENER_TYPE = "AWS::ElasticLoadBalancingV2::Listener"
SERVICE_TYPE = "AWS::ECS::Service"
# UpdateService under the blue/green (CODE_DEPLOY) controller: "only the desired count, deployment
# configuration, health check grace period, task placement constraints and strategies, enable ECS managed
# tags option, and propagate tags can be updated" (ECS API reference, UpdateService); tags go through
# TagResource.
SERVICE_UPDATABLE_PROPERTIES = frozenset(
    {
        "DesiredCount",
        "DeploymentConfiguration",
        "HealthCheckGracePeriodSeconds",
        "PlacementConstraints",
        "PlacementStrategies",
        "EnableECSManagedTags",
        "PropagateTags",
        "Tags",
    }
)

# Properties whose change makes CloudFormation replace the resource (CloudFormation's resource reference,
# "Update requires: Replacement"): a replaced target group or load balancer has a new ARN, which every
# listener referring to it receives in an update, with the default actions of the template.
REPLACED_BY = {
    "AWS::ElasticLoadBalancingV2::TargetGroup": frozenset(
        {"Name", "Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId", "IpAddressType"}
    ),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": frozenset({"Name", "Scheme", "Type"}),
}


@dataclass(frozen=True)
class UpdateProblem:
    """One change the update would make that could cut traffic or that ECS refuses."""

    logical_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.logical_id}: {self.reason}"


def update_problems(deployed: Mapping[str, Any], new: Mapping[str, Any]) -> list[UpdateProblem]:
    """Every reason the update from template ``deployed`` to ``new`` is unsafe; empty when it may go ahead."""
    before, after = deployed.get("Resources", {}), new.get("Resources", {})
    problems = []
    for logical_id in sorted(set(before) | set(after)):
        old, now = before.get(logical_id), after.get(logical_id)
        kind = (old or now)["Type"]
        if kind == LISTENER_TYPE:
            problems += _listener_problems(logical_id, old, now)
        elif kind == SERVICE_TYPE:
            problems += _service_problems(logical_id, old, now)
        elif kind in REPLACED_BY and old is not None and now is not None:
            problems += _replacement_problems(logical_id, old, now, REPLACED_BY[kind])
    return problems


def _listener_problems(logical_id: str, old: Mapping | None, new: Mapping | None) -> list[UpdateProblem]:
    if old is None:
        return [
            UpdateProblem(
                logical_id,
                "a new listener would forward to the target group the template names, "
                "whichever one CodeDeploy made live",
            )
        ]
    if new is None:
        return [UpdateProblem(logical_id, "the listener would be deleted; CodeDeploy routes traffic through it")]
    changed = _changed_properties(old, new)
    if changed:
        return [
            UpdateProblem(
                logical_id,
                f"listener properties would change ({', '.join(changed)}): CloudFormation would write back the "
                "default actions it remembers, over the target groups CodeDeploy set",
            )
        ]
    return []


def _service_problems(logical_id: str, old: Mapping | None, new: Mapping | None) -> list[UpdateProblem]:
    if old is None or new is None:
        verb = "created" if old is None else "deleted"
        return [UpdateProblem(logical_id, f"the ECS service would be {verb}")]
    frozen = [name for name in _changed_properties(old, new) if name not in SERVICE_UPDATABLE_PROPERTIES]
    if frozen:
        return [
            UpdateProblem(
                logical_id,
                f"ECS refuses to update {', '.join(frozen)} of a service under the CODE_DEPLOY controller; "
                "change them through a release (bluegreen_deploy) or re-create the service",
            )
        ]
    return []


def _replacement_problems(
    logical_id: str, old: Mapping, new: Mapping, replaced_by: frozenset[str]
) -> list[UpdateProblem]:
    changed = [name for name in _changed_properties(old, new) if name in replaced_by]
    if changed:
        return [
            UpdateProblem(
                logical_id,
                f"{', '.join(changed)} would change, which replaces it: the listeners would be rewritten with "
                "the template's default actions",
            )
        ]
    return []


def _changed_properties(old: Mapping, new: Mapping) -> list[str]:
    before, after = old.get("Properties", {}), new.get("Properties", {})
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
