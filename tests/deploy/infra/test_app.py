"""Whole-assembly checks: cfn-lint over every template and cdk-nag acknowledgments, per environment."""

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from tests.deploy.infra.synthesis import PARTS

NAG_PREFIX = "AwsSolutions-"


def acknowledgments(synthesis) -> dict[str, str]:
    """Every cdk-nag acknowledgment in the assembly: rule → reason."""
    found = {}
    for part in PARTS:
        for resource in synthesis.template_json(part)["Resources"].values():
            for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
                if rule["id"].startswith(NAG_PREFIX):
                    found[rule["id"]] = rule.get("reason", "")
    return found


@pytest.mark.parametrize("part", PARTS)
def test_cfn_lint_finds_no_error(synthesis, config, part):
    matches = lint_file(Path(synthesis.template_path(part)), config=ManualArgs(regions=[config.region]))
    errors = [f"{m.rule.id} {m.message} ({m.linenumber})" for m in matches if m.rule.severity == "error"]
    assert errors == []


def test_every_acknowledged_nag_finding_has_a_reason(synthesis):
    # Synthesis itself failed on any unacknowledged AwsSolutions error (cdk-nag v3 validation plugin).
    assert synthesis.stdout
    assert all(len(reason) > 20 for reason in acknowledgments(synthesis).values())


def test_acknowledged_rules_per_environment(synthesis, config):
    rules = {rule.split("[")[0] for rule in acknowledgments(synthesis)}
    common = {
        "AwsSolutions-EC23",
        "AwsSolutions-ELB2",
        "AwsSolutions-ECS2",
        "AwsSolutions-SMG4",
        "AwsSolutions-RDS11",
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-SNS2",
    }
    dev_only = {"AwsSolutions-RDS3", "AwsSolutions-RDS10"}
    assert rules == (common | dev_only if config.name == "dev" else common)
