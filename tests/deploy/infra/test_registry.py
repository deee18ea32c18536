"""The ECR repository: name, scanning, lifecycle, and a logical ID that never changes."""

import json


def repository(registry) -> dict:
    return registry.to_json()["Resources"]["Repository"]


def test_name_scan_on_push_and_retained(registry, config):
    resource = repository(registry)
    assert resource["Type"] == "AWS::ECR::Repository"
    assert resource["Properties"]["RepositoryName"] == f"text-messaging-app-{config.name}"
    assert resource["Properties"]["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert resource["DeletionPolicy"] == "Retain"


def test_lifecycle_keeps_the_most_recent_images(registry, config):
    policy = json.loads(repository(registry)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])
    (rule,) = policy["rules"]
    assert rule["selection"]["countType"] == "imageCountMoreThan"
    assert rule["selection"]["countNumber"] == config.registry.keep_images
    assert rule["action"] == {"type": "expire"}
