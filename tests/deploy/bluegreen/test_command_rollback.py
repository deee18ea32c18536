"""``--rollback``: back to the revision of the last succeeded deployment, as CodeDeploy recorded it."""

from tests.deploy.bluegreen.conftest import GREEN_RELEASE


def test_rollback_skips_a_failed_release_that_never_served(account):
    served = account.register_release(GREEN_RELEASE)
    never_served = account.register_release("v3")
    running = account.register_release("v4")
    account.record_deployment(served, "Succeeded", minutes_ago=30)
    account.record_deployment(never_served, "Failed", minutes_ago=20)
    account.record_deployment(running, "Succeeded", minutes_ago=10)
    account.point_service_at(running)

    result = account.run("--rollback")

    assert result.returncode == 0, result.stderr
    assert "Task definition: text-messaging-dev:4 -> text-messaging-dev:2" in result.stdout
    assert "Migrations are not reversed" in result.stdout
    assert f"release {GREEN_RELEASE}" in result.stdout
    assert account.proxy.writes() == [
        "CreateDeployment",
        "AuthorizeSecurityGroupIngress",
        "RevokeSecurityGroupIngress",
        "ContinueDeployment",
    ]
    assert account.test_listener_rules() == []


def test_rollback_without_an_earlier_succeeded_deployment_is_refused(account):
    # An earlier revision exists, but no deployment ever served it.
    account.register_release(GREEN_RELEASE)
    running = account.register_release("v3")
    account.record_deployment(running, "Succeeded", minutes_ago=10)
    account.point_service_at(running)

    result = account.run("--rollback")

    assert result.returncode == 1
    assert "no succeeded deployment of text-messaging-dev/text-messaging-dev-dg deployed another revision" in (
        result.stderr
    )
    assert account.proxy.writes() == []
