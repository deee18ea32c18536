"""The new task definition revision: a base revision carried over exactly, with only the image and release changed."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.errors import ImageError, TargetMismatchError


@dataclass(frozen=True)
class Change:
    """One leaf that differs between two task definitions, e.g. ``containerDefinitions[app].image``."""

    path: str
    before: Any
    after: Any


def release_from_image(image: str) -> str:
    """The release name of an image URI: its tag, or its digest when pinned by digest."""
    _, at, digest = image.partition("@")
    if at:
        if not digest:
            raise ImageError(f"image {image!r} has an empty digest")
        return digest
    last_part = image.rsplit("/", 1)[-1]
    _, colon, tag = last_part.rpartition(":")
    if not colon or not tag:
        raise ImageError(
            f"image {image!r} has no tag: give the pushed tag (e.g. {image}:<git sha>) so the release can be "
            "told apart from the one running"
        )
    return tag


def task_definition_for_release(
    current: Mapping[str, Any],
    *,
    register_keys: Collection[str],
    tags: list[dict[str, str]] | None = None,
    container_name: str,
    image: str,
    release_env_var: str,
    release: str,
) -> dict[str, Any]:
    """The input of ``RegisterTaskDefinition`` for a new revision of ``current``.

    Every registerable field (``register_keys``, the operation's input members) is copied as is, so fields
    this code has never heard of survive; read-only ones (ARN, revision, status, ...) are dropped. Only the
    named container's image and its ``release_env_var`` entry change.
    """
    spec = {key: copy.deepcopy(value) for key, value in current.items() if key in register_keys}
    containers = spec.get("containerDefinitions", [])
    container = next((c for c in containers if c.get("name") == container_name), None)
    if container is None:
        names = ", ".join(c.get("name", "?") for c in containers) or "none"
        raise TargetMismatchError(
            f"task definition {current.get('family')!r} has no container {container_name!r} (it has: {names})"
        )
    container["image"] = image
    container["environment"] = environment_with(container.get("environment", []), release_env_var, release)
    if tags:
        spec["tags"] = copy.deepcopy(tags)
    return spec


def environment_with(environment: list[dict[str, str]], name: str, value: str) -> list[dict[str, str]]:
    """``environment`` with ``name`` set to ``value``, in place if present (order kept), else appended."""
    updated = [dict(entry) for entry in environment]
    for entry in updated:
        if entry.get("name") == name:
            entry["value"] = value
            return updated
    return [*updated, {"name": name, "value": value}]


def container_image(task_definition: Mapping[str, Any], container_name: str) -> str:
    """The image one container of a task definition runs."""
    for container in task_definition.get("containerDefinitions", []):
        if container.get("name") == container_name:
            return container["image"]
    raise TargetMismatchError(f"task definition {task_definition.get('family')!r} has no container {container_name!r}")


def container_environment(task_definition: Mapping[str, Any], container_name: str, name: str) -> str | None:
    """The value of one environment variable of one container, or ``None``."""
    for container in task_definition.get("containerDefinitions", []):
        if container.get("name") == container_name:
            for entry in container.get("environment", []):
                if entry.get("name") == name:
                    return entry.get("value")
    return None


def task_definition_diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """Every leaf that differs; list items carrying a ``name`` are matched by it rather than by position."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes = []
        for key in [*before, *(k for k in after if k not in before)]:
            child = f"{path}{key}" if not path or str(key).startswith("[") else f"{path}.{key}"
            changes += task_definition_diff(before.get(key), after.get(key), child)
        return changes
    if isinstance(before, list) and isinstance(after, list) and _all_named(before) and _all_named(after):
        return task_definition_diff(_by_name(before), _by_name(after), path)
    return [] if before == after else [Change(path, before, after)]


def _all_named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, Mapping) and "name" in item for item in items)


def _by_name(items: list[Mapping[str, Any]]) -> dict[str, Any]:
    # Rendered as ``environment[RELEASE_VERSION].value`` rather than ``environment.3.value``.
    return {f"[{item['name']}]": {k: v for k, v in item.items() if k != "name"} for item in items}
