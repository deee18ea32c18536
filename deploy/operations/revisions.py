"""What a task definition revision runs: its image and release, read once per revision."""

from __future__ import annotations

from dataclasses import dataclass

from deploy.bluegreen.errors import AwsCallError
from deploy.bluegreen.plan import task_definition_name
from deploy.config import EnvironmentConfig
from deploy.operations.gateways import TasksGateway


@dataclass(frozen=True)
class Revision:
    name: str  # family:revision
    image: str
    release: str


class RevisionReader:
    """Describes each revision once; a deregistered or unreadable one is shown as unknown, never an error."""

    def __init__(self, ecs: TasksGateway, config: EnvironmentConfig) -> None:
        self._ecs = ecs
        self._config = config
        self._known: dict[str, Revision] = {}

    def __call__(self, arn: str | None) -> Revision:
        if not arn:
            return Revision(name="?", image="?", release="?")
        if arn not in self._known:
            self._known[arn] = self._read(arn)
        return self._known[arn]

    def _read(self, arn: str) -> Revision:
        try:
            definition, _ = self._ecs.task_definition(arn)
        except AwsCallError:
            return Revision(name=task_definition_name(arn), image="?", release="?")
        container = next(
            (c for c in definition.get("containerDefinitions", []) if c.get("name") == self._config.container_name),
            {},
        )
        environment = {item["name"]: item["value"] for item in container.get("environment", [])}
        return Revision(
            name=task_definition_name(arn),
            image=container.get("image", "?"),
            release=environment.get(self._config.service.release_env_var, "?"),
        )
