"""``provision`` on an emulated account: the CDK CLI's order and arguments, its own AWS calls, convergence."""

from __future__ import annotations

import sys
from pathlib import Path

from deploy.infra.update_check import LISTENER_TYPE
from tests.deploy.infra.synthesis import synthesized
from tests.deploy.provision.conftest import ACCOUNT, CONFIG
from tests.deploy.provision.standin import template_deployed

SERVICE_STACK = CONFIG.stack_name("ECS")


def test_empty_account_to_serving_app_then_nothing_changes(account):
    done = account.run("provision")
    assert done.returncode == 0, done.stdout + done.stderr
    calls = account.cdk_calls()
    assembly = str(synthesized("dev").outdir)
    bootstrap = ["bootstrap", f"aws://{ACCOUNT}/{CONFIG.region}", "--app", assembly, "--no-notices", "--no-color"]
    assert calls[0] == bootstrap
    deploys = calls[1:]
    assert [call[0] for call in deploys] == ["deploy"] * 5
    deployed = [call[1] for call in deploys]
    # The order is the manifest's: every stack after each stack it depends on.
    artifacts = synthesized("dev").manifest()["artifacts"]
    for index, name in enumerate(deployed):
        for dependency in artifacts[name]["dependencies"]:
            if artifacts[dependency]["type"] == "aws:cloudformation:stack":
                assert dependency in deployed[:index], f"{name} deployed before {dependency}"
    for call in deploys:
        assert call[2:4] == ["--app", assembly]
        assert "--exclusively" in call
        assert call[call.index("--require-approval") + 1] == "never"
    # The first image: this commit's, built and pushed before the service's stack is given its tag.
    # Built for the tasks' platform whatever this machine is, and pushed by the build (docs/deploy.md step 6).
    assert [call[0] for call in account.docker_calls()] == ["info", "login", "buildx"]
    build = account.docker_calls()[-1]
    assert build[:5] == ["buildx", "build", "--platform", CONFIG.service.image_platform, "--provenance=false"]
    assert "--push" in build
    image_tag = build[build.index("-t") + 1].rsplit(":", 1)[1]
    assert f"RELEASE_VERSION={image_tag}" in build
    service = deploys[deployed.index(SERVICE_STACK)]
    assert service[-2:] == ["--parameters", f"{SERVICE_STACK}:ImageTag={image_tag}"]
    assert sum("--parameters" in call for call in deploys) == 1
    login = next(entry for entry in account.entries() if entry["argv"][0] == "login")
    assert login["password_given"]  # ECR's token went through stdin, never argv
    assert "--password" not in login["argv"]

    writes = account.proxy.writes()
    assert writes.count("CreateServiceLinkedRole") == 4
    assert "RunTask" in writes  # the first migration, bluegreen_deploy's own step
    assert f"{CONFIG.name} serves at {account.green_url}/ (release v2)" in done.stdout
    assert f"AWS_ROLE_ARN = arn:aws:iam::{ACCOUNT}:role/{CONFIG.resource_name}-deploy" in done.stdout
    assert f"--topic-arn arn:aws:sns:{CONFIG.region}:{ACCOUNT}:{CONFIG.alarm_topic_name}" in done.stdout
    registry = f"{ACCOUNT}.dkr.ecr.{CONFIG.region}.amazonaws.com/{CONFIG.repository_name}"
    assert f"bluegreen_deploy --env dev --image {registry}:<tag>" in done.stdout

    account.forget()
    again = account.run("provision")
    assert again.returncode == 0, again.stdout + again.stderr
    assert account.proxy.writes() == []
    assert [call[0] for call in account.cdk_calls()] == ["diff"] * 5
    assert all(call[call.index("--method") + 1] == "template" for call in account.cdk_calls())  # no change set
    assert account.docker_calls() == []
    assert "; nothing changed in " in again.stdout.splitlines()[-1]

    # A stack that differs from the assembly is the only one deployed, its parameter kept, nothing migrated.
    account.forget()
    account.extra_env["STANDIN_DIFFERS"] = SERVICE_STACK
    third = account.run("provision")
    assert third.returncode == 0, third.stdout + third.stderr
    assert [call[:2] for call in account.cdk_calls() if call[0] == "deploy"] == [["deploy", SERVICE_STACK]]
    assert not any("--parameters" in call for call in account.cdk_calls())
    assert account.proxy.writes() == []
    assert "differs from the assembly" in third.stdout
    assert "any update leaves the listeners and the service to CodeDeploy" in third.stdout

    # A deployed listener that differs from the assembly's: the update would write back the actions
    # CloudFormation remembers over CodeDeploy's, so neither the dry run nor provision goes on.
    cloudformation = account.client("cloudformation")
    deployed = cloudformation.get_template(StackName=SERVICE_STACK)["TemplateBody"]
    listener = next(name for name, spec in deployed["Resources"].items() if spec["Type"] == LISTENER_TYPE)
    deployed["Resources"][listener]["Properties"]["Port"] = 8443
    template_deployed(cloudformation, SERVICE_STACK, deployed)
    for dry_run in (("--dry-run",), ()):
        account.forget()
        refused = account.run("provision", *dry_run)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"Update check of {SERVICE_STACK} (check_infra_update)" in refused.stdout
        assert f"CommandError: {SERVICE_STACK}: 1 change(s) could cut traffic" in refused.stderr
        assert f"{listener}: listener properties would change (Port)" in refused.stderr
        assert "Infrastructure updates" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert [call[0] for call in account.cdk_calls()] == []
        assert account.proxy.writes() == []


def test_dry_run_on_an_empty_account_prints_the_plan_and_writes_nothing(account):
    # The operator's default region is another: the environment's own is named and used.
    account.extra_env["AWS_DEFAULT_REGION"] = "us-east-1"
    # Throttling, answered in the JSON protocol of SSM and ECR (the query APIs answer in XML): ridden out by
    # botocore's retries (CLIENT_CONFIG), nothing of ours.
    account.proxy.throttle.update({"GetParameter": 2, "DescribeImages": 1})
    done = account.run("provision", "--dry-run", "--image", "v1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert +account.proxy.throttle == {}  # every throttling answer was given, and retried past
    assert f"Your AWS region is us-east-1; dev lives in {CONFIG.region}" in done.stdout
    assert f"account {ACCOUNT}, region {CONFIG.region}" in done.stdout
    assert account.proxy.writes() == []
    assert account.cdk_calls() == []  # every stack is absent: nothing to compare, nothing deployed
    assert "would create its service-linked role" in done.stdout
    assert "not bootstrapped; would bootstrap" in done.stdout
    assert "would create it with ImageTag=v1" in done.stdout
    assert "would run the migrations" in done.stdout
    assert done.stdout.rstrip().endswith("Nothing was changed.")


def test_without_an_assembly_the_pinned_cli_synthesizes_one_into_a_directory_removed_afterwards(account):
    done = account.run("provision", "--dry-run", "--image", "v1", assembly=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (synth,) = account.cdk_calls()  # the stand-in copies the session's assembly: nothing is synthesized twice
    output = Path(synth[synth.index("--output") + 1])
    assert synth[:5] == ["synth", "--app", f"{sys.executable} -m deploy.infra.app", "--context", "env=dev"]
    assert f"{output}: Network → ECR → Database → ECS → GitHubOidc" in done.stdout
    assert not output.parent.exists()


def test_no_credentials_is_said_plainly(account):
    account.extra_env |= {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    done = account.run("provision")
    assert done.returncode == 1
    assert "CommandError: no AWS credentials found: set AWS_PROFILE" in done.stderr
    assert "Traceback" not in done.stderr
    assert account.proxy.calls == []
    assert account.cdk_calls() == []


def test_an_unknown_profile_is_said_plainly(account):
    account.extra_env["AWS_PROFILE"] = "nobody"
    done = account.run("provision")
    assert done.returncode == 1
    assert "CommandError: The config profile (nobody) could not be found: pick one of" in done.stderr
    assert "Traceback" not in done.stderr
    assert account.proxy.calls == []


def test_a_stack_whose_creation_failed_stops_everything_before_any_change(account):
    from moto.cloudformation.models import cloudformation_backends

    network = CONFIG.stack_name("Network")
    account.client("cloudformation").create_stack(
        StackName=network, TemplateBody='{"Resources": {"Marker": {"Type": "AWS::SNS::Topic"}}}'
    )
    # What CloudFormation leaves after a failed creation (moto never fails one): ROLLBACK_COMPLETE.
    stack = next(s for s in cloudformation_backends[ACCOUNT][CONFIG.region].stacks.values() if s.name == network)
    stack.status = "ROLLBACK_COMPLETE"
    done = account.run("provision")
    assert done.returncode == 1
    assert f"stack {network} is ROLLBACK_COMPLETE: its creation failed" in done.stderr
    assert "manage.py teardown --env dev" in done.stderr
    assert "Traceback" not in done.stderr
    assert account.proxy.writes() == []
    assert account.cdk_calls() == []


def test_prod_without_a_terminal_or_yes_is_refused_before_any_call(account):
    done = account.run("provision", env="prod")
    assert done.returncode == 1
    assert "no terminal to confirm on; pass --yes" in done.stderr
    assert account.proxy.calls == []
    assert account.cdk_calls() == []
