"""The GitHubOidc stack's deploy role policy, read from the session's synthesized template and resolved
against one account's resources, for evaluating calls as the role makes them (tests/support/iam_policy.py)."""

from __future__ import annotations

from dataclasses import dataclass

from deploy.config import StackPart, get_config
from tests.deploy.infra.synthesis import synthesized
from tests.support.iam_policy import Intrinsics, template_policy

ROLE_LOGICAL_ID_PREFIX = "GitHubDeployRole"


@dataclass(frozen=True, kw_only=True)
class AccountResources:
    """What the role's policy imports from the other stacks, as one account has them."""

    account: str
    alb_security_group: str
    execution_role_arn: str
    task_role_arn: str
    # The migration task's, distinct from the service's: a policy that cannot pass it fails a release.
    migration_execution_role_arn: str


def deploy_role_policy(env: str, resources: AccountResources) -> list[dict]:
    config = get_config(env)
    repository = f"arn:aws:ecr:{config.region}:{resources.account}:repository/{config.repository_name}"
    # Export names are CDK's (stack, construct path, attribute): matched by the part that names the resource,
    # construct included, as the service's and the migration task's execution roles differ only by it.
    exports = {
        "RepositoryArn": repository,
        "WebServiceExecutionRole": resources.execution_role_arn,
        "WebServiceTaskRole": resources.task_role_arn,
        "MigrationTaskExecutionRole": resources.migration_execution_role_arn,
        "AlbSecurityGroup": resources.alb_security_group,
    }

    def imported(name: str) -> str:
        found = [value for key, value in exports.items() if key in name]
        if len(found) != 1:
            raise KeyError(f"the deploy role imports {name}, which the account does not model")
        return found[0]

    intrinsics = Intrinsics(
        refs={"AWS::AccountId": resources.account, "AWS::Partition": "aws", "AWS::Region": config.region},
        imports=imported,
    )
    template = synthesized(env).template_json(StackPart.GITHUB)
    return template_policy(template, role_logical_id_prefix=ROLE_LOGICAL_ID_PREFIX, intrinsics=intrinsics)
