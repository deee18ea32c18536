"""Every dependency is pinned to one exact version, the ones we name and the ones they pull in."""

import re
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements"
LOCK = REQUIREMENTS / "constraints.txt"
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9,._-]+\])?==(?P<version>[A-Za-z0-9.+!-]+)$")
REGENERATE = "the pip-compile command at the top of requirements/constraints.txt"


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    return {
        canonical(match["name"]): match["version"]
        for match in map(PINNED.match, requirement_lines(path))
        if match is not None
    }


@pytest.mark.parametrize("path", sorted(REQUIREMENTS.glob("*.txt")), ids=lambda path: path.name)
def test_every_line_is_an_exact_pin_or_an_include(path):
    loose = [line for line in requirement_lines(path) if not PINNED.match(line) and not line.startswith(("-r ", "-c "))]

    assert not loose, f"{path.name}: pin these with ==: {loose}"


def test_the_lock_pins_every_named_requirement_at_the_same_version():
    locked = pins(LOCK)
    named = {
        (path.name, name, version)
        for path in REQUIREMENTS.glob("*.txt")
        if path != LOCK
        for name, version in pins(path).items()
    }

    stale = sorted(
        (file, name, version, locked.get(name)) for file, name, version in named if locked.get(name) != version
    )
    assert not stale, f"requirements/constraints.txt is stale {stale}; regenerate it: {REGENERATE}"


def test_installs_are_held_to_the_lock():
    for path in ("local.txt", "test.txt"):
        assert "-c constraints.txt" in requirement_lines(REQUIREMENTS / path), path
