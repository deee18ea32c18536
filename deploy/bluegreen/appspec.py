"""The AppSpec of an ECS blue/green deployment and the CodeDeploy revision that carries it."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def appspec_build(*, task_definition_arn: str, container_name: str, container_port: int) -> dict[str, Any]:
    """Tell CodeDeploy which revision to start and which container and port the target groups route to."""
    return {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": task_definition_arn,
                        "LoadBalancerInfo": {"ContainerName": container_name, "ContainerPort": container_port},
                    },
                }
            }
        ],
    }


def appspec_revision(appspec: dict[str, Any]) -> dict[str, Any]:
    """The ``revision`` argument of ``CreateDeployment``: the AppSpec inline, with its checksum."""
    content = json.dumps(appspec, sort_keys=True)
    return {
        "revisionType": "AppSpecContent",
        "appSpecContent": {"content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()},
    }


def appspec_task_definition(revision: dict[str, Any]) -> str | None:
    """The task definition ARN named by an AppSpecContent revision, or ``None`` for any other revision."""
    try:
        appspec = json.loads(revision["appSpecContent"]["content"])
        return appspec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
