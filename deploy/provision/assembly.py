"""What a synthesized cloud assembly says: its stacks, the order they depend on each other, what they retain.

Everything here is pure: it reads ``manifest.json`` and the templates the CDK app wrote, never AWS. The
order comes from the manifest's ``dependencies`` (as ``cdk deploy --all`` reads them), never from a list
written here, so a stack added or rewired in ``deploy/infra`` is provisioned in the right place.
"""

from __future__ import annotations

import graphlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.provision.errors import AssemblyError

STACK_ARTIFACT = "aws:cloudformation:stack"
# CloudFormation keeps these resources when their stack is deleted (a snapshot for Snapshot).
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
KEEPING_POLICIES = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})
# Resource types whose service needs its service-linked role before CloudFormation can create them, and the
# AWS service name iam:CreateServiceLinkedRole takes for each.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html
SERVICE_LINKED_ROLES = {
    "AWS::ECS::Service": "ecs.amazonaws.com",
    "AWS::ApplicationAutoScaling::ScalableTarget": "ecs.application-autoscaling.amazonaws.com",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "elasticloadbalancing.amazonaws.com",
    "AWS::RDS::DBInstance": "rds.amazonaws.com",
}


@dataclass(frozen=True, kw_only=True)
class AssemblyStack:
    name: str
    dependencies: tuple[str, ...]  # names of the stacks this one needs deployed first
    template: dict[str, Any]
    requires_bootstrap_version: int
    bootstrap_version_parameter: str | None
    # From the artifact's environment, aws://ACCOUNT/REGION: "unknown-account" when synthesized without one.
    account: str
    region: str

    @property
    def parameters(self) -> frozenset[str]:
        """Parameters without a default, which the first deployment must be given (``BootstrapVersion`` has one)."""
        return frozenset(name for name, spec in self.template.get("Parameters", {}).items() if "Default" not in spec)


@dataclass(frozen=True, kw_only=True)
class RetainedResource:
    stack: str
    logical_id: str
    resource_type: str
    policy: str


@dataclass(frozen=True, kw_only=True)
class Assembly:
    directory: Path
    # In deployment order: every stack after the stacks it depends on.
    stacks: tuple[AssemblyStack, ...]

    def stack(self, name: str) -> AssemblyStack:
        return next(stack for stack in self.stacks if stack.name == name)

    @property
    def bootstrap_requirement(self) -> tuple[int, str | None]:
        """The highest bootstrap version any stack requires, and the SSM parameter that holds the deployed one."""
        needing = max(self.stacks, key=lambda stack: stack.requires_bootstrap_version)
        return needing.requires_bootstrap_version, needing.bootstrap_version_parameter


def assembly_read(directory: Path, *, stack_prefix: str) -> Assembly:
    """Read the stacks named ``stack_prefix*`` from the assembly in ``directory``, in deployment order."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as error:
        raise AssemblyError(f"no cloud assembly in {directory}: {error}") from error
    artifacts = manifest.get("artifacts", {})
    stacks = {}
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        properties = artifact.get("properties", {})
        name = properties.get("stackName", artifact_id)
        account, _, region = artifact.get("environment", "aws://unknown-account/unknown-region")[6:].partition("/")
        stacks[artifact_id] = AssemblyStack(
            name=name,
            # Asset manifests are dependencies too; only stacks are deployed one after the other.
            dependencies=tuple(
                artifacts[dep].get("properties", {}).get("stackName", dep)
                for dep in artifact.get("dependencies", [])
                if artifacts.get(dep, {}).get("type") == STACK_ARTIFACT
            ),
            template=json.loads((directory / properties["templateFile"]).read_text()),
            requires_bootstrap_version=int(properties.get("requiresBootstrapStackVersion", 0)),
            bootstrap_version_parameter=properties.get("bootstrapStackVersionSsmParameter"),
            account=account,
            region=region,
        )
    ours = {stack.name: stack for stack in stacks.values() if stack.name.startswith(stack_prefix)}
    if not ours:
        raise AssemblyError(f"the cloud assembly in {directory} has no stack named {stack_prefix}*")
    return Assembly(directory=directory, stacks=deploy_order(ours))


def assembly_check(assembly: Assembly, *, account: str, region: str) -> None:
    """Refuse an assembly synthesized for another account or region than the one being provisioned."""
    for stack in assembly.stacks:
        if stack.account not in ("unknown-account", account):
            raise AssemblyError(
                f"{stack.name} was synthesized for account {stack.account}, the credentials are for {account}: "
                "synthesize it again with these credentials"
            )
        if stack.region not in ("unknown-region", region):
            raise AssemblyError(f"{stack.name} was synthesized for region {stack.region}, not {region}")


def deploy_order(stacks: dict[str, AssemblyStack]) -> tuple[AssemblyStack, ...]:
    """Every stack after its dependencies; ties keep the manifest's order, so the plan reads the same each run."""
    sorter = graphlib.TopologicalSorter(
        {name: [d for d in s.dependencies if d in stacks] for name, s in stacks.items()}
    )
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        raise AssemblyError(f"the stacks depend on each other in a cycle: {error.args[1]}") from error
    position = {name: index for index, name in enumerate(stacks)}
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order += ready
        sorter.done(*ready)
    return tuple(stacks[name] for name in order)


def retained_resources(assembly: Assembly) -> list[RetainedResource]:
    """The resources CloudFormation leaves behind (or snapshots) when their stack is deleted."""
    return [
        RetainedResource(stack=stack.name, logical_id=logical_id, resource_type=resource["Type"], policy=policy)
        for stack in assembly.stacks
        for logical_id, resource in stack.template.get("Resources", {}).items()
        if (policy := resource.get("DeletionPolicy")) in KEEPING_POLICIES
    ]


def service_linked_roles_needed(assembly: Assembly) -> list[str]:
    """The AWS service names whose service-linked role the stacks' resources need, in a stable order."""
    types = {resource["Type"] for stack in assembly.stacks for resource in stack.template.get("Resources", {}).values()}
    return [service for resource_type, service in SERVICE_LINKED_ROLES.items() if resource_type in types]
