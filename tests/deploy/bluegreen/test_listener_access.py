"""The description of the test listener's per-release rule, and which rules count as leftovers."""

from deploy.bluegreen.listener_access import RULE_DESCRIPTION_PREFIX, admitting_rules, leftover_rules, rule_description


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


def rule(cidr: str, *, protocol: str = "tcp", ports: tuple[int, int] = (8080, 8080)) -> dict:
    family = "CidrIpv6" if ":" in cidr else "CidrIpv4"
    return {
        "SecurityGroupRuleId": "sgr-1",
        "IpProtocol": protocol,
        "FromPort": ports[0],
        "ToPort": ports[1],
        family: cidr,
    }


def test_a_rule_for_the_address_or_a_wider_range_on_the_port_already_admits_the_runner():
    for admitting in [rule("203.0.113.7/32"), rule("203.0.113.0/24"), rule("0.0.0.0/0", ports=(8000, 9000))]:
        assert admitting_rules([admitting], cidr="203.0.113.7/32", port=8080) == [admitting]
    # EC2 reports "all traffic" rules with protocol -1 and ports -1.
    assert admitting_rules([rule("203.0.113.7/32", protocol="-1", ports=(-1, -1))], cidr="203.0.113.7/32", port=8080)


def test_rules_for_another_address_port_protocol_or_family_do_not_admit_the_runner():
    for other in [
        rule("203.0.113.8/32"),
        rule("203.0.113.7/32", ports=(80, 80)),
        rule("203.0.113.7/32", protocol="udp"),
        rule("::/0"),
        {"SecurityGroupRuleId": "sgr-2", "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080},
    ]:
        assert admitting_rules([other], cidr="203.0.113.7/32", port=8080) == []
