"""The ECR repository: name, scanning, lifecycle, and a logical ID that never changes."""

import json


def repository(registry) -> dict:
    return registry.to_json()["Resources"]["Repository"]


def test_name_and_scan_on_push(registry, config):
    resource = repository(registry)
    assert resource["Type"] == "AWS::ECR::Repository"
    assert resource["Properties"]["RepositoryName"] == f"text-messaging-app-{config.name}"
    assert resource["Properties"]["ImageScanningConfiguration"] == {"ScanOnPush": True}


def test_dev_repository_goes_with_its_images_and_prod_is_kept(registry, config):
    resource = repository(registry)
    if config.name == "dev":
        assert (resource["DeletionPolicy"], resource["Properties"]["EmptyOnDelete"]) == ("Delete", True)
    else:
        assert resource["DeletionPolicy"] == "Retain"
        assert not resource["Properties"].get("EmptyOnDelete")


def test_lifecycle_keeps_the_most_recent_images(registry, config):
    policy = json.loads(repository(registry)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])
    (rule,) = policy["rules"]
    assert rule["selection"]["countType"] == "imageCountMoreThan"
    assert rule["selection"]["countNumber"] == config.registry.keep_images
    assert rule["action"] == {"type": "expire"}
