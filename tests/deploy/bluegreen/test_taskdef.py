"""The new revision: only the image and release change; everything registerable is carried over."""

import pytest

from deploy.bluegreen.errors import ImageError, TargetMismatchError
from deploy.bluegreen.taskdef import (
    Change,
    environment_with,
    release_from_image,
    task_definition_diff,
    task_definition_for_release,
)

REGISTER_KEYS = {"family", "containerDefinitions", "cpu", "memory", "networkMode", "executionRoleArn", "volumes"}
CURRENT = {
    "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/text-messaging-dev:7",
    "revision": 7,
    "status": "ACTIVE",
    "registeredAt": "2025-01-01T00:00:00Z",
    "family": "text-messaging-dev",
    "cpu": "256",
    "memory": "512",
    "networkMode": "awsvpc",
    "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
    "containerDefinitions": [
        {"name": "sidecar", "image": "envoy:1"},
        {
            "name": "text-messaging-app",
            "image": "repo/app:v1",
            "environment": [{"name": "DB_SSLMODE", "value": "require"}, {"name": "RELEASE_VERSION", "value": "v1"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:secret"}],
        },
    ],
}


def rewrite(**overrides):
    arguments = {
        "register_keys": REGISTER_KEYS,
        "container_name": "text-messaging-app",
        "image": "repo/app:v2",
        "release_env_var": "RELEASE_VERSION",
        "release": "v2",
    } | overrides
    return task_definition_for_release(CURRENT, **arguments)


def test_only_image_and_release_change():
    new = rewrite()
    assert task_definition_diff({k: v for k, v in CURRENT.items() if k in REGISTER_KEYS}, new) == [
        Change("containerDefinitions[text-messaging-app].image", "repo/app:v1", "repo/app:v2"),
        Change("containerDefinitions[text-messaging-app].environment[RELEASE_VERSION].value", "v1", "v2"),
    ]


def test_read_only_fields_are_dropped():
    assert not {"taskDefinitionArn", "revision", "status", "registeredAt"} & set(rewrite())


def test_the_current_definition_is_not_mutated():
    rewrite()
    assert CURRENT["containerDefinitions"][1]["image"] == "repo/app:v1"


def test_other_containers_and_secrets_are_carried_over():
    new = rewrite()
    assert new["containerDefinitions"][0] == {"name": "sidecar", "image": "envoy:1"}
    assert new["containerDefinitions"][1]["secrets"] == [{"name": "DB_PASSWORD", "valueFrom": "arn:secret"}]


def test_tags_are_carried_over_when_given():
    assert rewrite(tags=[{"key": "team", "value": "a"}])["tags"] == [{"key": "team", "value": "a"}]


def test_missing_container_is_an_error_naming_the_ones_there():
    with pytest.raises(TargetMismatchError, match="no container 'web' \\(it has: sidecar, text-messaging-app\\)"):
        rewrite(container_name="web")


def test_release_variable_is_appended_when_absent():
    assert environment_with([{"name": "A", "value": "1"}], "RELEASE_VERSION", "v2") == [
        {"name": "A", "value": "1"},
        {"name": "RELEASE_VERSION", "value": "v2"},
    ]


@pytest.mark.parametrize(
    ("image", "release"),
    [
        ("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:3f2c1a9", "3f2c1a9"),
        ("localhost:5000/app:v2", "v2"),
        ("repo/app@sha256:abc123", "sha256:abc123"),
    ],
)
def test_release_is_the_tag_or_digest(image, release):
    assert release_from_image(image) == release


@pytest.mark.parametrize("image", ["repo/app", "localhost:5000/app", "repo/app:", "repo/app@"])
def test_image_without_tag_or_digest_is_refused(image):
    with pytest.raises(ImageError):
        release_from_image(image)


def test_diff_matches_list_items_by_name_not_position():
    before = {"environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
    after = {"environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}, {"name": "C", "value": "3"}]}
    assert task_definition_diff(before, after) == [Change("environment[C]", None, {"value": "3"})]
