"""The CDK CLI is pinned in package.json, and the pinned one reads the assembly aws-cdk-lib writes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from deploy.config import get_config
from deploy.provision.cdk import DEFAULT_EXECUTABLE, deploy_argv, diff_argv
from tests.deploy.infra.synthesis import synthesized

ROOT = Path(__file__).resolve().parents[3]


def pinned_version() -> str:
    return json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]


def test_the_cli_is_pinned_exactly_and_locked():
    version = pinned_version()
    assert version[0].isdigit(), f"aws-cdk {version} is a range; pin one version (npm install --save-exact)"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == version
    assert "npx" not in (ROOT / "Makefile").read_text()
    # npx would fetch whatever CLI is newest, which may not read the assembly the pinned aws-cdk-lib writes.
    guides = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert len(guides) > 2
    for guide in guides:
        assert "npx aws-cdk" not in guide.read_text(), f"{guide.name}: use node_modules/.bin/cdk or make cdk"


def test_the_pinned_cli_reads_the_synthesized_assembly(tmp_path):
    """A CLI older than the assembly's schema refuses it ("Cloud assembly schema version mismatch"); the
    pinned one lists every stack, offline, without synthesizing again."""
    assert DEFAULT_EXECUTABLE.exists(), "no CDK CLI in node_modules: run `npm ci`"
    env = {"PATH": "/usr/bin:/bin", "CDK_DISABLE_CLI_TELEMETRY": "true", "HOME": str(tmp_path)}
    listed = subprocess.run(
        [str(DEFAULT_EXECUTABLE), "ls", "--app", str(synthesized("dev").outdir), "--no-notices"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert listed.returncode == 0, listed.stderr
    config = get_config("dev")
    expected = {config.stack_name(part) for part in ("Network", "Database", "ECR", "ECS", "GitHubOidc")}
    assert set(listed.stdout.split()) == expected
    version = subprocess.run([str(DEFAULT_EXECUTABLE), "--version"], capture_output=True, text=True, env=env)
    assert version.stdout.startswith(pinned_version() + " ")


def test_deploy_never_asks_and_diff_never_makes_a_change_set():
    deploy = deploy_argv("cdk", assembly=Path("out"), stack="S", parameters={"ImageTag": "v1"})
    assert deploy[:4] == ["cdk", "deploy", "S", "--app"]
    assert deploy[deploy.index("--require-approval") + 1] == "never"
    assert deploy[-2:] == ["--parameters", "S:ImageTag=v1"]
    diff = diff_argv("cdk", assembly=Path("out"), stack="S")
    assert diff[diff.index("--method") + 1] == "template"
    assert "--fail" in diff
