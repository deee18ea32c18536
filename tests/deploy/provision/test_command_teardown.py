"""``teardown``: a disposable environment's stacks deleted in reverse dependency order; prod refused."""

from __future__ import annotations

import json

from tests.deploy.infra.synthesis import synthesized
from tests.deploy.provision.conftest import CONFIG

MARKER = json.dumps({"Resources": {"Marker": {"Type": "AWS::SNS::Topic"}}})


def test_teardown_deletes_every_stack_after_the_stacks_that_depend_on_it(account):
    stacks = [CONFIG.stack_name(part) for part in ("Network", "Database", "ECR", "ECS", "GitHubOidc")]
    cloudformation = account.client("cloudformation")
    for name in stacks:
        cloudformation.create_stack(StackName=name, TemplateBody=MARKER)
    done = account.run("teardown", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    calls = account.cdk_calls()
    assert [call[0] for call in calls] == ["destroy"] * 5
    destroyed = [call[1] for call in calls]
    assert sorted(destroyed) == sorted(stacks)
    artifacts = synthesized("dev").manifest()["artifacts"]
    for index, name in enumerate(destroyed):
        for dependency in artifacts[name]["dependencies"]:
            if artifacts[dependency]["type"] == "aws:cloudformation:stack":
                assert dependency in destroyed[index:], f"{dependency} deleted before {name}, which needs it"
    assert all({"--force", "--exclusively"} <= set(call) for call in calls)
    assert cloudformation.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"] == []
    # dev's templates retain nothing; what outlives every stack is said all the same.
    assert "the CDK bootstrap stack CDKToolkit" in done.stdout
    assert "task definition revisions registered by releases" in done.stdout
    assert "Removed 5 stacks of dev" in done.stdout.splitlines()[-1]
    assert [op for op in account.proxy.writes()] == []  # the deletions are the CLI's, not ours


def test_teardown_of_an_environment_never_deployed_removes_nothing(account):
    done = account.run("teardown", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert account.cdk_calls() == []
    assert "dev has no stack in account 123456789012: nothing to remove." in done.stdout


def test_teardown_refuses_prod_before_any_call(account):
    done = account.run("teardown", "--yes", env="prod")
    assert done.returncode == 1
    assert "prod is not disposable" in done.stderr
    assert account.proxy.calls == []
    assert account.cdk_calls() == []


def test_teardown_without_a_terminal_or_yes_is_refused(account):
    done = account.run("teardown")
    assert done.returncode == 1
    assert "no terminal to confirm on; pass --yes" in done.stderr
    assert account.proxy.calls == []


def test_teardown_dry_run_names_the_stacks_and_deletes_nothing(account):
    network = CONFIG.stack_name("Network")
    account.client("cloudformation").create_stack(StackName=network, TemplateBody=MARKER)
    done = account.run("teardown", "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert account.cdk_calls() == []
    assert done.stdout.splitlines()[-1] == f"Dry run: would delete {network}. Nothing was changed."
