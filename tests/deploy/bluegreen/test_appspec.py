"""The AppSpec names the revision, container and port; the revision carries it inline with its checksum."""

import hashlib
import json

from deploy.bluegreen.appspec import appspec_build, appspec_revision, appspec_task_definition

ARN = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/text-messaging-dev:8"


def test_appspec_targets_the_service_container_and_port():
    appspec = appspec_build(task_definition_arn=ARN, container_name="text-messaging-app", container_port=8080)
    assert appspec["Resources"][0]["TargetService"] == {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "TaskDefinition": ARN,
            "LoadBalancerInfo": {"ContainerName": "text-messaging-app", "ContainerPort": 8080},
        },
    }


def test_revision_is_inline_content_with_its_sha256():
    appspec = appspec_build(task_definition_arn=ARN, container_name="c", container_port=1)
    revision = appspec_revision(appspec)
    content = revision["appSpecContent"]["content"]
    assert revision["revisionType"] == "AppSpecContent"
    assert json.loads(content) == appspec
    assert revision["appSpecContent"]["sha256"] == hashlib.sha256(content.encode()).hexdigest()


def test_task_definition_is_read_back_from_a_revision():
    revision = appspec_revision(appspec_build(task_definition_arn=ARN, container_name="c", container_port=1))
    assert appspec_task_definition(revision) == ARN
    assert appspec_task_definition({"revisionType": "S3"}) is None
