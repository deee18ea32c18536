"""The ECR repository the CD workflow pushes the app image to."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from deploy.config import EnvironmentConfig

# Pinned: a replaced repository loses every image, including the one the service runs.
REPOSITORY_LOGICAL_ID = "Repository"


class Registry(Construct):
    """An immutable-tag repository scanned on push, keeping the most recent images for rollbacks."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        registry = config.registry
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=config.repository_name,
            image_scan_on_push=registry.scan_on_push,
            # A release tag always names the same image, so a rollback redeploys exactly what ran before.
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.AES_256,
            # A disposable environment's repository goes with its stack, images and all, so the fixed name
            # is free again for the next one; otherwise the images outlive the stack.
            removal_policy=RemovalPolicy.DESTROY if config.disposable else RemovalPolicy.RETAIN,
            empty_on_delete=config.disposable,
            lifecycle_rules=[
                ecr.LifecycleRule(
                    description=f"Keep the {registry.keep_images} most recent images",
                    max_image_count=registry.keep_images,
                    tag_status=ecr.TagStatus.ANY,
                )
            ],
        )
        self.repository.node.default_child.override_logical_id(REPOSITORY_LOGICAL_ID)
