"""The CDK app: one environment's stacks, synthesized by ``synth_infra`` or by the CDK CLI via cdk.json."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from deploy.config import EnvironmentConfig, StackPart, get_config
from deploy.infra.stacks import DatabaseStack, GitHubOidcStack, NetworkStack, RegistryStack, ServiceStack
from deploy.infra.validation import config_validate

CDK_JSON = Path(__file__).resolve().parents[2] / "cdk.json"
DEFAULT_ENV = "dev"


@dataclass(frozen=True, kw_only=True)
class StackSummary:
    name: str
    resource_count: int
    template_path: Path


@dataclass(frozen=True, kw_only=True)
class SynthResult:
    outdir: Path
    stacks: tuple[StackSummary, ...]


def stacks_build(app: cdk.App, *, config: EnvironmentConfig) -> list[cdk.Stack]:
    """Add ``config``'s stacks to ``app``, wired as the seed's dependency graph, with cdk-nag checking them."""
    config_validate(config)
    # The account stays unresolved unless the CLI (or the caller) names one: synthesis never asks AWS.
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=config.region)
    network = NetworkStack(app, config.stack_name(StackPart.NETWORK), config=config, env=env)
    database = DatabaseStack(
        app, config.stack_name(StackPart.DATABASE), config=config, env=env, network=network.network
    )
    registry = RegistryStack(app, config.stack_name(StackPart.REGISTRY), config=config, env=env)
    service = ServiceStack(
        app,
        config.stack_name(StackPart.SERVICE),
        config=config,
        env=env,
        network=network.network,
        database=database.database,
        registry=registry.registry,
    )
    github = GitHubOidcStack(
        app,
        config.stack_name(StackPart.GITHUB),
        config=config,
        env=env,
        registry=registry.registry,
        web_service=service.web_service,
        migration_task=service.migration_task,
        network=network.network,
    )
    stacks = [network, database, registry, service, github]
    for stack in stacks:
        # A kept environment's stacks cannot be deleted by a stray `cdk destroy`.
        stack.termination_protection = not config.disposable
        cdk.Tags.of(stack).add("Project", config.resource_name)
        cdk.Tags.of(stack).add("Environment", config.name)
    # Acknowledged findings are copied into each resource's Metadata, so every template carries its own audit trail.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    return stacks


def app_context() -> dict:
    """The feature flags and settings of cdk.json, so synthesis without the CLI behaves like ``cdk synth``."""
    return json.loads(CDK_JSON.read_text()).get("context", {})


def synthesize(*, config: EnvironmentConfig, outdir: Path) -> SynthResult:
    """Write ``config``'s cloud assembly to ``outdir`` and summarize each stack's template."""
    app = cdk.App(outdir=str(outdir), context=app_context())
    stacks = stacks_build(app, config=config)
    assembly = app.synth()
    summaries = []
    for stack in stacks:
        artifact = assembly.get_stack_artifact(stack.artifact_id)
        template_path = Path(assembly.directory) / artifact.template_file
        resources = json.loads(template_path.read_text()).get("Resources", {})
        summaries.append(
            StackSummary(name=stack.stack_name, resource_count=len(resources), template_path=template_path)
        )
    return SynthResult(outdir=Path(assembly.directory), stacks=tuple(summaries))


def main() -> None:
    """Entry point of cdk.json: the environment comes from ``-c env=...``; CDK_OUTDIR is honoured by App."""
    app = cdk.App(context=app_context())
    stacks_build(app, config=get_config(app.node.try_get_context("env") or DEFAULT_ENV))
    app.synth()


if __name__ == "__main__":
    main()
