"""The test listener opened to the CD runner's own address for the validation only, end to end."""

import signal
import time

import pytest
from botocore.exceptions import ClientError

from tests.deploy.bluegreen.conftest import CONFIG, GREEN_RELEASE, RUNNER_ADDRESS
from tests.deploy.bluegreen.stacks import IMAGE_REPOSITORY

IMAGE = f"{IMAGE_REPOSITORY}:{GREEN_RELEASE}"
# Green reports GREEN_RELEASE, so a release of this image fails its validation on every attempt.
WRONG_IMAGE = f"{IMAGE_REPOSITORY}:v3"
PORT = CONFIG.load_balancer.test_port
LEFTOVER = "bluegreen_deploy validation of v1 (0123456789ab)"


def authorized(account) -> dict:
    return next(c.params for c in account.proxy.calls if c.operation == "AuthorizeSecurityGroupIngress")


def add_rule(account, cidr: str, description: str) -> None:
    account.client("ec2").authorize_security_group_ingress(
        GroupId=account.stacks.alb_security_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": PORT,
                "ToPort": PORT,
                "IpRanges": [{"CidrIp": cidr, "Description": description}],
            }
        ],
    )


def test_a_release_opens_the_test_listener_to_the_runner_for_the_validation_only(account):
    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    rule = authorized(account)
    assert rule["GroupId"] == account.stacks.alb_security_group
    assert (rule["IpPermissions.1.FromPort"], rule["IpPermissions.1.ToPort"]) == (str(PORT), str(PORT))
    assert rule["IpPermissions.1.IpRanges.1.CidrIp"] == f"{RUNNER_ADDRESS}/32"
    assert rule["IpPermissions.1.IpRanges.1.Description"].startswith(
        f"bluegreen_deploy validation of {GREEN_RELEASE} ("
    )
    out = result.stdout
    assert f"opens port {PORT} of {account.stacks.alb_security_group} to {RUNNER_ADDRESS}/32" in out
    assert out.index(f"opened port {PORT}") < out.index("GET /health: 200")
    assert out.index("GET /messages: 200") < out.index(f"closed port {PORT} to {RUNNER_ADDRESS}/32 again")
    assert out.index("closed port") < out.index("Moving production traffic to green")
    assert account.test_listener_rules() == []


def test_a_failed_validation_closes_the_listener_before_rolling_back(account):
    result = account.run("--image", WRONG_IMAGE)

    assert result.returncode == 1
    assert "expected 'v3'" in result.stderr
    writes = account.proxy.writes()
    assert writes.index("AuthorizeSecurityGroupIngress") < writes.index("RevokeSecurityGroupIngress")
    assert writes.index("RevokeSecurityGroupIngress") < writes.index("StopDeployment")
    assert "Stopped; rollback deployment" in result.stderr
    assert account.test_listener_rules() == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interruption_during_the_validation_closes_the_listener(account, signum):
    process = account.start("--image", WRONG_IMAGE, "--validation-timeout", "60")
    deadline = time.monotonic() + 30
    while "AuthorizeSecurityGroupIngress" not in account.proxy.writes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(account.test_listener_rules()) == 1  # open while green is being validated

    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 1
    assert "interrupted while deployment" in stderr
    assert "Traceback" not in stderr
    writes = account.proxy.writes()
    assert writes.index("RevokeSecurityGroupIngress") < writes.index("StopDeployment")
    assert account.test_listener_rules() == []


def test_an_aws_error_opening_the_listener_fails_the_release_and_leaves_no_rule(account):
    account.proxy.denied.add("AuthorizeSecurityGroupIngress")

    result = account.run("--image", IMAGE)

    assert result.returncode == 1
    assert "ec2 AuthorizeSecurityGroupIngress failed" in result.stderr
    assert "Stopped; rollback deployment" in result.stderr
    assert "ContinueDeployment" not in account.proxy.writes()
    assert account.test_listener_rules() == []


def test_a_rule_added_by_a_call_whose_answer_was_lost_opens_the_listener_and_is_removed(account):
    # The rule is added but the answer is lost: botocore's retry is refused as a duplicate of it.
    account.proxy.lost_answers["AuthorizeSecurityGroupIngress"] = 1

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    assert f"already admits {RUNNER_ADDRESS}/32" in result.stdout
    assert "RevokeSecurityGroupIngress" in account.proxy.writes()
    assert account.test_listener_rules() == []


@pytest.mark.parametrize("cidr", [f"{RUNNER_ADDRESS}/32", "203.0.113.0/24"], ids=["same-address", "wider-range"])
def test_a_runner_the_stack_already_admits_releases_and_its_rule_is_kept(account, cidr):
    # CD_RUNNER_CIDRS names the runner: adding the same rule again would be refused (EC2 ignores descriptions).
    add_rule(account, cidr, "CD runner")

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    assert f"already admits {RUNNER_ADDRESS}/32" in result.stdout
    assert "AuthorizeSecurityGroupIngress" not in account.proxy.writes()
    assert "RevokeSecurityGroupIngress" not in account.proxy.writes()
    assert [(r["CidrIpv4"], r["Description"]) for r in account.test_listener_rules()] == [(cidr, "CD runner")]


def test_a_rule_left_by_an_earlier_run_is_removed_before_anything_is_deployed(account):
    add_rule(account, "198.51.100.9/32", LEFTOVER)
    # A fixed address from the configuration: not this command's, so kept.
    add_rule(account, "192.0.2.0/24", "Test listener")

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    assert "a rule an earlier run left" in result.stdout
    assert LEFTOVER in result.stdout
    assert account.proxy.writes()[:2] == ["RevokeSecurityGroupIngress", "RegisterTaskDefinition"]
    assert [(r["CidrIpv4"], r["Description"]) for r in account.test_listener_rules()] == [
        ("192.0.2.0/24", "Test listener")
    ]


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b"<html>Access denied</html>\n", "is not an IP address"),
        (200, b"203.0.113.7, 198.51.100.1\n", "is not an IP address"),
        (503, b"unavailable", "answered 503"),
    ],
    ids=["html", "two-addresses", "server-error"],
)
def test_a_bad_address_echo_answer_stops_the_release_before_anything_is_deployed(account, status, body, message):
    account.address_echo.status, account.address_echo.body = status, body

    result = account.run("--image", IMAGE)

    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: address echo http://127.0.0.1:")
    assert message in result.stderr
    assert "--runner-address" in result.stderr
    assert account.proxy.writes() == []


def test_a_given_ipv6_runner_address_is_opened_as_a_128(account):
    result = account.run("--image", IMAGE, "--runner-address", "2001:db8::7")

    assert result.returncode == 0, result.stderr
    assert authorized(account)["IpPermissions.1.Ipv6Ranges.1.CidrIpv6"] == "2001:db8::7/128"
    assert account.test_listener_rules() == []


def test_a_given_runner_address_that_is_no_address_is_refused(account):
    result = account.run("--image", IMAGE, "--runner-address", "runner.example.com")

    assert result.returncode == 1
    assert "'runner.example.com' is not an IP address" in result.stderr
    assert account.proxy.writes() == []


def test_no_open_test_listener_leaves_the_security_group_alone(account):
    result = account.run("--image", IMAGE, "--no-open-test-listener")

    assert result.returncode == 0, result.stderr
    assert f"port {PORT} is left as the stack has it" in result.stdout
    assert not {"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"} & set(account.proxy.writes())


def test_dry_run_says_which_address_it_would_open_the_listener_to(account):
    add_rule(account, "198.51.100.9/32", LEFTOVER)

    result = account.run("--image", IMAGE, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert f"would open port {PORT} of {account.stacks.alb_security_group} to {RUNNER_ADDRESS}/32" in result.stdout
    assert "would remove a rule an earlier run left: " in result.stdout
    assert account.proxy.writes() == []
    assert len(account.test_listener_rules()) == 1


def test_the_emulated_ec2_refuses_the_same_rule_again_whatever_its_description(account):
    # As EC2 does (ADR 0014): rules are compared on protocol, ports and source only.
    add_rule(account, f"{RUNNER_ADDRESS}/32", "CD runner")

    with pytest.raises(ClientError) as refused:
        add_rule(account, f"{RUNNER_ADDRESS}/32", "bluegreen_deploy validation of v2 (0123456789ab)")

    assert refused.value.response["Error"]["Code"] == "InvalidPermission.Duplicate"
