"""Stand-ins for the CDK CLI and docker: the boundary provisioning drives as child processes.

Each records its argv (never a password) in ``STANDIN_RECORD``, one JSON line per run, and makes in the
emulated account (moto at ``STANDIN_MOTO_URL``, not through the recording proxy, so the proxy's record
holds provisioning's own calls only) what the real tool would: ``cdk bootstrap`` the CDKToolkit stack and
its version parameter, ``cdk deploy`` the stack (refused while a stack it depends on is missing, or
without a value for a parameter that has no default, as CloudFormation refuses), ``cdk diff --fail`` exit
1 for a missing stack or one named in ``STANDIN_DIFFERS``, ``cdk destroy`` the deletion, ``docker push``
(or ``docker buildx build --push``) the image in ECR; the ECS stack's template, as GetTemplate answers it,
is the assembly's. ``STANDIN_DEPLOY_SLEEP`` makes ``cdk deploy`` hang that long (to be interrupted).

Run as ``python -m tests.deploy.provision.standin cdk|docker ARGS...``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import boto3

from deploy.config import GitHubStackOutput, StackParameter, StackPart, get_config
from deploy.provision.assembly import assembly_read
from tests.deploy.bluegreen.stacks import stacks_create

ACCOUNT = "123456789012"
BOOTSTRAP_VERSION = "30"
BOOTSTRAP_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
INERT = "StandInInert"


def main(argv: list[str]) -> int:
    tool, *args = argv
    password = sys.stdin.read() if tool == "docker" and "--password-stdin" in args else ""
    with open(os.environ["STANDIN_RECORD"], "a") as record:
        entry = {"tool": tool, "argv": args, "pid": os.getpid(), "password_given": bool(password)}
        record.write(json.dumps(entry) + "\n")
    return cdk(args) if tool == "cdk" else docker(args)


def cdk(args: list[str]) -> int:
    command = args[0]
    cloudformation = client("cloudformation")
    if command == "bootstrap":
        template = {
            "Resources": {
                "CdkBootstrapVersion": {
                    "Type": "AWS::SSM::Parameter",
                    "Properties": {"Name": BOOTSTRAP_PARAMETER, "Type": "String", "Value": BOOTSTRAP_VERSION},
                }
            },
            "Outputs": {"BootstrapVersion": {"Value": BOOTSTRAP_VERSION}},
        }
        cloudformation.create_stack(StackName="CDKToolkit", TemplateBody=json.dumps(template))
        print(" ✅  Environment bootstrapped.")
        return 0
    if command == "synth":
        shutil.copytree(os.environ["STANDIN_ASSEMBLY"], option(args, "--output"))
        return 0
    stack = args[1]
    exists = stack_exists(cloudformation, stack)
    if command == "diff":
        if not exists or stack in os.environ.get("STANDIN_DIFFERS", "").split(","):
            print(f"Stack {stack}\nResources\n[~] AWS::ECS::TaskDefinition WebService/TaskDefinition\n")
            return 1
        print(f"Stack {stack}\nThere were no differences")
        return 0
    if command == "destroy":
        cloudformation.delete_stack(StackName=stack)
        print(f" ✅  {stack}: destroyed")
        return 0
    assert command == "deploy", command
    print(f"{stack}: deploying... [1/1]")
    sys.stdout.flush()
    time.sleep(float(os.environ.get("STANDIN_DEPLOY_SLEEP", "0")))
    if exists:
        print(f" ✅  {stack} (no changes)")
        return 0
    assembly_stack = assembly_read(Path(option(args, "--app")), stack_prefix=stack).stack(stack)
    missing = [dep for dep in assembly_stack.dependencies if not stack_exists(cloudformation, dep)]
    if missing:
        print(f"❌  {stack} failed: No export named {missing[0]}:ExportsOutput... found", file=sys.stderr)
        return 1
    given = {value.split(":", 1)[1].split("=", 1)[0] for value in options(args, "--parameters")}
    if unset := assembly_stack.parameters - given:
        print(f"❌  {stack} failed: Parameters: [{', '.join(sorted(unset))}] must have values", file=sys.stderr)
        return 1
    config = get_config(stack.split("-")[1])
    if StackParameter.IMAGE_TAG in assembly_stack.parameters:
        stacks_create(config, endpoint=os.environ["STANDIN_MOTO_URL"], test_listener_url=os.environ["STANDIN_URL"])
        template_deployed(cloudformation, stack, assembly_stack.template)
    else:
        resources = {"Marker": {"Type": "AWS::SNS::Topic"}}
        outputs = {}
        if stack == config.stack_name(StackPart.REGISTRY):
            resources["Repository"] = {
                "Type": "AWS::ECR::Repository",
                "Properties": {"RepositoryName": config.repository_name},
            }
        if stack == config.stack_name(StackPart.GITHUB):
            role = f"arn:aws:iam::{ACCOUNT}:role/{config.resource_name}-deploy"
            outputs[GitHubStackOutput.DEPLOY_ROLE_ARN] = {"Value": role}
        template = {"Resources": resources, "Outputs": outputs}
        cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    print(f" ✅  {stack}")
    return 0


def template_deployed(cloudformation, stack: str, template: dict) -> None:
    """Make ``template`` the one GetTemplate answers for ``stack``, as after a deployment of it.

    Its resources are inert (under a condition that is false, so the emulator makes none of them: the
    service's resources are the ones ``stacks_create`` made) and its outputs are those already there. The
    stack is re-created rather than updated, since the emulator updates a changed resource whatever its
    condition.
    """
    outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    inert = {
        "Conditions": {INERT: {"Fn::Equals": ["deployed", "by the stand-in"]}},
        "Resources": {name: {**spec, "Condition": INERT} for name, spec in template["Resources"].items()},
        "Outputs": {output["OutputKey"]: {"Value": output["OutputValue"]} for output in outputs},
    }
    cloudformation.delete_stack(StackName=stack)
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(inert))


def docker(args: list[str]) -> int:
    command = args[0]
    if command == "info":
        return 0 if os.environ.get("STANDIN_DOCKER") == "1" else 1
    pushed = args[1] if command == "push" else option(args, "-t") if "--push" in args else None
    if pushed:
        repository_uri, tag = pushed.rsplit(":", 1)
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}
        client("ecr").put_image(
            repositoryName=repository_uri.split("/", 1)[1], imageManifest=json.dumps(manifest), imageTag=tag
        )
    print(f"docker {command}: done")
    return 0


def stack_exists(cloudformation, name: str) -> bool:
    try:
        cloudformation.describe_stacks(StackName=name)
    except cloudformation.exceptions.ClientError:
        return False
    return True


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def options(args: list[str], name: str) -> list[str]:
    return [args[index + 1] for index, arg in enumerate(args) if arg == name]


def client(name: str):
    return boto3.client(
        name,
        endpoint_url=os.environ["STANDIN_MOTO_URL"],
        region_name=get_config("dev").region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
