"""Reading CodeDeploy's record: the revision to roll back to, and our own deployment."""

import json

from deploy.bluegreen.appspec import appspec_build, appspec_revision
from deploy.bluegreen.history import own_deployment, rollback_revision

FAMILY = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app"


def deployment(revision: int | None, **info) -> dict:
    if revision is None:  # CodeDeploy's own rollback deployments may carry no AppSpec content
        return {"revision": {}} | info
    appspec = appspec_build(task_definition_arn=f"{FAMILY}:{revision}", container_name="c", container_port=8080)
    return {"revision": appspec_revision(appspec)} | info


def test_rollback_goes_to_the_newest_succeeded_deployment_of_another_revision():
    succeeded = [deployment(4), deployment(None), deployment(2), deployment(1)]
    assert rollback_revision(succeeded, current=f"{FAMILY}:4") == f"{FAMILY}:2"


def test_a_revision_only_ever_deployed_by_failed_deployments_is_never_chosen():
    # Revision 3 is absent: only succeeded deployments are passed in, and it never had one.
    assert rollback_revision([deployment(4), deployment(2)], current=f"{FAMILY}:4") == f"{FAMILY}:2"


def test_nothing_to_roll_back_to_without_another_succeeded_revision():
    assert rollback_revision([deployment(4), deployment(None)], current=f"{FAMILY}:4") is None
    assert rollback_revision([], current=f"{FAMILY}:1") is None


def test_own_deployment_is_told_by_its_description():
    ours = "bluegreen_deploy deploy v2 (1a2b3c4d5e6f)"
    active = [
        {"deploymentId": "d-1", "description": "someone else's"},
        {"deploymentId": "d-2", "description": ours},
    ]
    assert own_deployment(active, description=ours) == "d-2"
    assert own_deployment(active[:1], description=ours) is None


def test_appspec_content_round_trips_through_json():
    content = deployment(7)["revision"]["appSpecContent"]["content"]
    assert json.loads(content)["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] == f"{FAMILY}:7"
