"""Run the delivery linters installed with the test requirements (requirements/lint.txt, package.json)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.dockerfile import REPO_ROOT

VENV_BIN = Path(sys.executable).parent
NODE_TOOL_DIR = REPO_ROOT / "node_modules"


def run_tool(name: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a console script of this venv from the repo root, offline, and capture its output."""
    return subprocess.run(
        [str(VENV_BIN / name), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_node_script(script: Path, *args: str, package: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a Node script that uses an npm package from package.json, installed by ``npm ci``."""
    node = shutil.which("node")
    if node is None or not (NODE_TOOL_DIR / package).is_dir():
        message = f"{package} is not installed: run `npm ci` at the repo root (Node.js needed)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run(
        [node, str(script), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def load_yaml(relative_path: str) -> dict:
    return yaml.safe_load((REPO_ROOT / relative_path).read_text())
