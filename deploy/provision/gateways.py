"""The AWS calls provisioning makes itself, behind thin gateways over injected boto3 clients.

Stacks are created and deleted by the CDK CLI (``cdk.py``); these gateways only read what is there and
create the account-wide service-linked roles. Retries are botocore's, configured once in ``CLIENT_CONFIG``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from deploy.bluegreen.errors import AwsCallError
from deploy.bluegreen.gateways import CLIENT_CONFIG as RELEASE_CLIENT_CONFIG
from deploy.bluegreen.gateways import _Gateway
from deploy.provision.errors import CredentialsError, ProvisionError

# The release's retry policy (standard mode, ten attempts: throttling ridden out with backoff), tagged as ours.
CLIENT_CONFIG = RELEASE_CLIENT_CONFIG.merge(type(RELEASE_CLIENT_CONFIG)(user_agent_extra="provision"))
# The path IAM puts every service-linked role under, whatever the role's name.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
SERVICE_ROLE_PATH = "/aws-service-role/{service}/"


@dataclass(frozen=True, kw_only=True)
class StackState:
    name: str
    status: str
    reason: str
    outputs: dict[str, str]


class AccountGateway(_Gateway):
    label = "sts"

    def account_id(self) -> str:
        """The caller's account; the first call, so a missing credential is said plainly here."""
        try:
            return self._client.get_caller_identity()["Account"]
        except NoCredentialsError as error:
            raise CredentialsError(
                "no AWS credentials found: set AWS_PROFILE (or run aws sso login / aws configure), or export "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for an administrator of the target account"
            ) from error
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in {"InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch", "UnrecognizedClientException"}:
                raise CredentialsError(
                    f"AWS refused the credentials ({code}): refresh them (aws sso login) or use another profile"
                ) from error
            raise AwsCallError("sts GetCallerIdentity", code, str(error)) from error
        except BotoCoreError as error:
            raise AwsCallError("sts GetCallerIdentity", type(error).__name__, str(error)) from error


class IamGateway(_Gateway):
    label = "iam"

    def service_linked_role(self, service: str) -> str | None:
        """The name of ``service``'s service-linked role, or ``None`` while the account has none."""
        for page in self._pages("list_roles", PathPrefix=SERVICE_ROLE_PATH.format(service=service)):
            for role in page.get("Roles", []):
                return role["RoleName"]
        return None

    def create_service_linked_role(self, service: str) -> str | None:
        """Create it; ``None`` when IAM answers the role exists already (created meanwhile, or by the service)."""
        try:
            return self._call("create_service_linked_role", AWSServiceName=service)["Role"]["RoleName"]
        except AwsCallError as error:
            if role_already_taken(error):
                return None
            raise


def role_already_taken(error: AwsCallError) -> bool:
    """IAM's answer when the service-linked role exists: ``InvalidInput`` "... has been taken in this account"."""
    return error.code == "InvalidInput" and "has been taken" in str(error)


class StackStateGateway(_Gateway):
    label = "cloudformation"

    def state(self, name: str) -> StackState | None:
        """The stack's status and outputs, or ``None`` when no stack of that name exists (or only a deleted one)."""
        try:
            stack = self._call("describe_stacks", StackName=name)["Stacks"][0]
        except AwsCallError as error:
            if error.code == "ValidationError" and "does not exist" in str(error):
                return None
            raise
        return StackState(
            name=name,
            status=stack["StackStatus"],
            reason=stack.get("StackStatusReason", ""),
            outputs={output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])},
        )

    def template(self, name: str) -> dict[str, Any]:
        """The template the stack was last deployed with (GetTemplate's ``Original`` stage, before transforms).

        botocore decodes a JSON ``TemplateBody`` into a mapping; one written in YAML stays a string.
        https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html
        """
        body = self._call("get_template", StackName=name)["TemplateBody"]
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                raise ProvisionError(
                    f"{name} was deployed with a template that is not JSON (the CDK writes JSON): its update "
                    "cannot be checked; deploy it with the CDK first"
                ) from None
        return dict(body)

    def failure_reasons(self, name: str, *, limit: int = 3) -> list[str]:
        """The first resources that failed in the stack's events (the cause, not the rollback that followed)."""
        events = self._call("describe_stack_events", StackName=name).get("StackEvents", [])
        failed = [
            f"{event.get('LogicalResourceId')} ({event.get('ResourceType')}): {event.get('ResourceStatusReason', '')}"
            for event in reversed(events)  # newest first: reversed is the order they happened
            if event.get("ResourceStatus", "").endswith("_FAILED") and event.get("LogicalResourceId") != name
        ]
        return failed[:limit]


class BootstrapGateway(_Gateway):
    label = "ssm"

    def version(self, parameter: str) -> int | None:
        """The bootstrap stack's version, as ``cdk bootstrap`` records it in SSM; ``None``: never bootstrapped."""
        try:
            return int(self._call("get_parameter", Name=parameter)["Parameter"]["Value"])
        except AwsCallError as error:
            if error.code == "ParameterNotFound":
                return None
            raise


class RegistryGateway(_Gateway):
    label = "ecr"

    def image_tags(self, repository: str) -> list[str] | None:
        """The repository's tags, newest push first; ``None`` when the repository does not exist."""
        images: list[dict[str, Any]] = []
        try:
            for page in self._pages("describe_images", repositoryName=repository, filter={"tagStatus": "TAGGED"}):
                images += page.get("imageDetails", [])
        except AwsCallError as error:
            if error.code == "RepositoryNotFoundException":
                return None
            raise
        images.sort(key=lambda image: image.get("imagePushedAt") or 0, reverse=True)
        return [tag for image in images for tag in image.get("imageTags", [])]

    def login(self) -> tuple[str, str, str]:
        """``(registry, user, password)`` for ``docker login``; the password is never printed."""
        data = self._call("get_authorization_token")["authorizationData"][0]
        user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
        return data["proxyEndpoint"].removeprefix("https://"), user, password


@dataclass(frozen=True)
class ProvisionGateways:
    account: AccountGateway
    iam: IamGateway
    stacks: StackStateGateway
    bootstrap: BootstrapGateway
    registry: RegistryGateway


def provision_gateways(region: str) -> ProvisionGateways:
    """Clients in the environment's region from the standard credential chain (``AWS_ENDPOINT_URL`` honoured)."""
    try:
        session = boto3.session.Session(region_name=region)
    except ProfileNotFound as error:
        raise CredentialsError(f"{error}: pick one of `aws configure list-profiles`, or unset AWS_PROFILE") from error

    def client(name: str) -> Any:
        return session.client(name, config=CLIENT_CONFIG)

    return ProvisionGateways(
        account=AccountGateway(client("sts")),
        iam=IamGateway(client("iam")),
        stacks=StackStateGateway(client("cloudformation")),
        bootstrap=BootstrapGateway(client("ssm")),
        registry=RegistryGateway(client("ecr")),
    )


def session_region() -> str | None:
    """The region the operator's own configuration names (AWS_REGION, the profile), to warn when it differs."""
    try:
        return boto3.session.Session().region_name
    except BotoCoreError:  # an unknown profile: said by provision_gateways
        return None
