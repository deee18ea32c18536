"""Release after release, as on a real account: after each deployment CodeDeploy leaves both listeners
forwarding through a weighted ForwardConfig (new group 100, old one 0), and the next release, a rollback
included, must read that shape; every call is made under the deploy role's synthesized policy (ADR 0014)."""

import pytest

from deploy.bluegreen.gateways import forward_weights
from deploy.config import get_config
from tests.deploy.bluegreen.conftest import GREEN_RELEASE
from tests.deploy.bluegreen.stacks import IMAGE_REPOSITORY

IMAGE = f"{IMAGE_REPOSITORY}:{GREEN_RELEASE}"


def weights(account, listener_arn: str) -> dict[str, int]:
    (listener,) = account.client("elbv2").describe_listeners(ListenerArns=[listener_arn])["Listeners"]
    return forward_weights(listener["DefaultActions"])


def watched_alarms(account) -> list[str]:
    (create,) = [c for c in account.proxy.calls if c.operation == "CreateDeployment" and c.status < 400]
    return [alarm["name"] for alarm in create.params["overrideAlarmConfiguration"]["alarms"]]


def migration_runs(account) -> list[str]:
    """The task definition each migration task of the last command ran."""
    runs = [c for c in account.proxy.calls if c.operation == "RunTask" and c.status < 400]
    return [run.params["taskDefinition"].rsplit("/", 1)[-1] for run in runs]


def running_revision(account, config) -> str:
    service = account.client("ecs").describe_services(cluster=config.cluster_name, services=[config.service_name])
    return service["services"][0]["taskDefinition"].rsplit("/", 1)[-1]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_three_releases_with_a_rollback_between_them_each_read_the_shape_the_last_one_left(make_account, env):
    config = get_config(env)
    account = make_account(config=config)
    blue, green = account.stacks.target_groups
    listeners = account.stacks.production_listener_arn, account.stacks.test_listener_arn
    # A release migrates with the migration family's revision of its image: registered by the first
    # release of that image, reused by the next ones; a rollback runs no migration (ADR 0019).
    migration = f"{config.migration_family}:2"
    steps = [
        # (arguments, the group it fills, revision serving after it, migration task definitions run)
        (("--image", IMAGE), "green", f"{config.resource_name}:2", [migration]),
        (("--image", IMAGE), "blue", f"{config.resource_name}:3", [migration]),
        (("--rollback",), "green", f"{config.resource_name}:2", []),
        (("--image", IMAGE), "blue", f"{config.resource_name}:4", [migration]),
    ]
    for arguments, filled, serving, migrations in steps:
        account.proxy.calls.clear()

        result = account.run(*arguments, "--env", env)

        assert result.returncode == 0, result.stderr
        assert watched_alarms(account) == [
            f"{config.resource_name}-{filled}-5xx",
            f"{config.resource_name}-{filled}-unhealthy",
        ]
        live, idle = (green, blue) if filled == "green" else (blue, green)
        for listener in listeners:
            assert weights(account, listener) == {live: 100, idle: 0}
        assert running_revision(account, config) == serving
        assert migration_runs(account) == migrations
    assert account.proxy.denials == []
