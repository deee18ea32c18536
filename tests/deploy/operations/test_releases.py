"""``manage.py releases`` against the emulated account: the group's deployments, how each ended, rollbacks."""

from tests.deploy.bluegreen.lifecycle import FAILURE


def test_releases_lists_deployments_newest_first_with_revision_creator_and_rollback(environment):
    first = environment.deployment(
        environment.stacks.task_definition_arn, "Succeeded", minutes_ago=90, description="bluegreen_deploy deploy v1"
    )
    second = environment.new_live_revision()
    failed = environment.deployment(second, "Failed", minutes_ago=30, description="bluegreen_deploy deploy v1 (abc)")

    out = environment.call("releases", "--env", "dev")

    assert out.index(failed) < out.index(first)
    failed_block = out[out.index(f"{failed} Failed") : out.index(f"{first} Succeeded")]
    assert "revision text-messaging-dev:2 image 123456789012.dkr.ecr" in failed_block
    assert "release v1" in failed_block
    assert "by user" in failed_block
    assert "bluegreen_deploy deploy v1 (abc)" in failed_block
    assert f"why: {FAILURE['code']}: {FAILURE['message']}" in failed_block
    assert "rollback: rolled back by " in failed_block
    rollback_id = failed_block.split("rolled back by ")[1].split(";")[0].strip()
    rollback_block = out[out.index(f"{rollback_id} Succeeded") :]
    assert "by codeDeployRollback" in rollback_block
    assert f"rollback: rollback of {failed}" in rollback_block
    assert f"{first} Succeeded\n  revision text-messaging-dev:1" in out
    assert environment.proxy.writes() == []


def test_releases_limit_keeps_the_newest(environment):
    older = environment.deployment(environment.stacks.task_definition_arn, "Succeeded", minutes_ago=60)
    newer = environment.deployment(environment.stacks.task_definition_arn, "Stopped", minutes_ago=5)

    out = environment.call("releases", "--limit", "1")

    assert newer in out
    assert older not in out
