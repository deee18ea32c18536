"""The description of the test listener's per-release rule, and which rules count as leftovers."""

from deploy.bluegreen.listener_access import RULE_DESCRIPTION_PREFIX, leftover_rules, rule_description


def test_the_description_names_the_release_and_the_run():
    assert rule_description(release="v2", nonce="3f2a1b9c0d4e") == "bluegreen_deploy validation of v2 (3f2a1b9c0d4e)"


def test_the_description_keeps_to_what_ec2_accepts():
    description = rule_description(release="sha256:ab'c\"d" + "x" * 300, nonce="3f2a1b9c0d4e")

    assert description.startswith(f"{RULE_DESCRIPTION_PREFIX} of sha256:ab_c_d")
    assert description.endswith("(3f2a1b9c0d4e)")
    assert len(description) <= 255


def test_only_this_commands_rules_are_leftovers():
    rules = [
        {"SecurityGroupRuleId": "sgr-1", "Description": "bluegreen_deploy validation of v1 (0123456789ab)"},
        {"SecurityGroupRuleId": "sgr-2", "Description": "Test listener"},
        {"SecurityGroupRuleId": "sgr-3"},
    ]

    assert [rule["SecurityGroupRuleId"] for rule in leftover_rules(rules)] == ["sgr-1"]
