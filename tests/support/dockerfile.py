"""What the image promises, read from the Dockerfile: its command, user, port, health check and environment."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from dockerfile_parse import DockerfileParser

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"


@dataclass(frozen=True)
class HealthCheck:
    command: tuple[str, ...]
    options: dict[str, str]


@dataclass(frozen=True)
class ImageContract:
    """The runtime (last) stage of the Dockerfile, as a container would run it."""

    base_image: str
    command: tuple[str, ...]
    entrypoint: tuple[str, ...]
    user: str
    exposed_ports: tuple[str, ...]
    healthcheck: HealthCheck | None
    env: dict[str, str]
    args: dict[str, str]
    copy_sources: tuple[str, ...]

    @property
    def process(self) -> tuple[str, ...]:
        """The argv the container starts: ENTRYPOINT followed by CMD, as Docker combines them."""
        return self.entrypoint + self.command


def _exec_form(value: str) -> tuple[str, ...]:
    """Parse a CMD/ENTRYPOINT value; the exec (JSON) form is the only one that keeps gunicorn as PID 1."""
    parsed = json.loads(value)
    assert isinstance(parsed, list), f"expected the exec (JSON array) form, got {value!r}"
    return tuple(parsed)


def _healthcheck(value: str) -> HealthCheck | None:
    options, _, command = value.partition("CMD")
    if value.strip() == "NONE":
        return None
    parsed_options = {}
    for option in shlex.split(options):
        name, _, setting = option.removeprefix("--").partition("=")
        parsed_options[name] = setting
    return HealthCheck(command=_exec_form(command.strip()), options=parsed_options)


def _copy_sources(value: str) -> list[str]:
    if value.startswith("--from="):
        return []  # copied from another stage, not from the build context
    words = [word for word in shlex.split(value) if not word.startswith("--")]
    return words[:-1]


def read_image_contract(path: Path = DOCKERFILE) -> ImageContract:
    parser = DockerfileParser(str(path))
    structure = parser.structure
    last_from = max(i for i, item in enumerate(structure) if item["instruction"] == "FROM")
    runtime = structure[last_from:]

    def last(instruction: str) -> str | None:
        values = [item["value"] for item in runtime if item["instruction"] == instruction]
        return values[-1] if values else None

    cmd, entrypoint, healthcheck = last("CMD"), last("ENTRYPOINT"), last("HEALTHCHECK")
    return ImageContract(
        base_image=parser.baseimage,
        command=_exec_form(cmd) if cmd else (),
        entrypoint=_exec_form(entrypoint) if entrypoint else (),
        user=last("USER") or "root",
        exposed_ports=tuple(
            port for item in runtime if item["instruction"] == "EXPOSE" for port in item["value"].split()
        ),
        healthcheck=_healthcheck(healthcheck) if healthcheck else None,
        env=dict(parser.envs),
        args=dict(parser.args),
        copy_sources=tuple(
            source
            for item in structure
            if item["instruction"] in ("COPY", "ADD")
            for source in _copy_sources(item["value"])
        ),
    )
