"""Reading the session's synthesized assemblies: the deployment order, what is retained, what is needed first."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deploy.config import get_config
from deploy.provision.assembly import (
    assembly_check,
    assembly_read,
    retained_resources,
    service_linked_roles_needed,
)
from deploy.provision.errors import AssemblyError
from tests.deploy.infra.synthesis import ENVS, synthesized


@pytest.mark.parametrize("env", ENVS)
def test_every_stack_comes_after_each_stack_its_manifest_depends_on(env):
    config = get_config(env)
    assembly = assembly_read(synthesized(env).outdir, stack_prefix=config.stack_name(""))
    names = [stack.name for stack in assembly.stacks]
    artifacts = synthesized(env).manifest()["artifacts"]
    stacks = [key for key, artifact in artifacts.items() if artifact["type"] == "aws:cloudformation:stack"]
    assert sorted(names) == sorted(stacks)
    for index, name in enumerate(names):
        needed = [d for d in artifacts[name]["dependencies"] if d in stacks]
        assert set(needed) <= set(names[:index])
        assert set(assembly.stack(name).dependencies) == set(needed)


def test_the_service_stack_alone_needs_a_parameter_on_its_first_deployment():
    config = get_config("dev")
    assembly = assembly_read(synthesized("dev").outdir, stack_prefix=config.stack_name(""))
    needing = {stack.name: stack.parameters for stack in assembly.stacks if stack.parameters}
    assert needing == {config.stack_name("ECS"): frozenset({"ImageTag"})}
    assert assembly.bootstrap_requirement == (6, "/cdk-bootstrap/hnb659fds/version")


def test_prod_retains_its_data_and_dev_nothing():
    prod = assembly_read(synthesized("prod").outdir, stack_prefix=get_config("prod").stack_name(""))
    kept = {(r.resource_type, r.policy) for r in retained_resources(prod)}
    assert kept == {
        ("AWS::RDS::DBInstance", "Snapshot"),
        ("AWS::SecretsManager::Secret", "Retain"),
        ("AWS::ECR::Repository", "Retain"),
        ("AWS::Logs::LogGroup", "Retain"),
    }
    dev = assembly_read(synthesized("dev").outdir, stack_prefix=get_config("dev").stack_name(""))
    assert retained_resources(dev) == []


def test_the_service_linked_roles_follow_the_resources():
    dev = assembly_read(synthesized("dev").outdir, stack_prefix=get_config("dev").stack_name(""))
    assert service_linked_roles_needed(dev) == [
        "ecs.amazonaws.com",
        "ecs.application-autoscaling.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "rds.amazonaws.com",
    ]


def test_an_assembly_of_another_environment_is_refused():
    with pytest.raises(AssemblyError, match="has no stack named TextMessaging-staging-"):
        assembly_read(synthesized("dev").outdir, stack_prefix="TextMessaging-staging-")


def test_a_directory_without_an_assembly_is_refused(tmp_path):
    with pytest.raises(AssemblyError, match=f"no cloud assembly in {tmp_path}"):
        assembly_read(tmp_path, stack_prefix="TextMessaging-dev-")


def test_an_assembly_for_another_account_or_region_is_refused():
    dev = assembly_read(synthesized("dev").outdir, stack_prefix=get_config("dev").stack_name(""))
    assert {(stack.account, stack.region) for stack in dev.stacks} == {("unknown-account", "ap-northeast-1")}
    assembly_check(dev, account="123456789012", region="ap-northeast-1")
    with pytest.raises(AssemblyError, match="synthesized for region ap-northeast-1, not us-east-1"):
        assembly_check(dev, account="123456789012", region="us-east-1")
    pinned = replace(dev, stacks=tuple(replace(stack, account="210987654321") for stack in dev.stacks))
    with pytest.raises(AssemblyError, match="synthesized for account 210987654321, the credentials are for 1234"):
        assembly_check(pinned, account="123456789012", region="ap-northeast-1")
