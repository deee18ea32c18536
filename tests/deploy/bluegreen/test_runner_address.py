"""The runner's address: exactly one IP address, opened as itself alone."""

import pytest

from deploy.bluegreen.errors import RunnerAddressError
from deploy.bluegreen.runner_address import runner_address_echo, runner_address_parse, runner_cidr
from tests.deploy.bluegreen.address_echo import address_echo_server


@pytest.mark.parametrize(
    ("text", "cidr"),
    [
        ("203.0.113.7\n", "203.0.113.7/32"),
        ("  2001:db8::7 ", "2001:db8::7/128"),
        ("::ffff:203.0.113.7", "203.0.113.7/32"),
    ],
)
def test_an_address_is_opened_as_itself_alone(text, cidr):
    assert runner_cidr(runner_address_parse(text)) == cidr


@pytest.mark.parametrize(
    "text",
    [
        "",
        "runner",
        "203.0.113.7/24",
        "203.0.113.7 198.51.100.1",
        "203.0.113",
        "0.0.0.0",  # noqa: S104 - refused, not bound
        "127.0.0.1",
        "fe80::1%eth0",
    ],
)
def test_anything_but_one_host_address_is_refused(text):
    with pytest.raises(RunnerAddressError):
        runner_address_parse(text)


def test_the_echo_is_asked_over_http_and_its_answer_checked():
    with address_echo_server() as server:
        server.body = b"198.51.100.23\n"
        assert str(runner_address_echo(server.url)) == "198.51.100.23"
        server.body = b"198.51.100.23" + b" " * 100
        with pytest.raises(RunnerAddressError, match="more than an address"):
            runner_address_echo(server.url)


def test_an_echo_url_that_is_not_http_is_refused_without_a_request():
    with pytest.raises(RunnerAddressError, match="not an HTTP URL"):
        runner_address_echo("file:///etc/hostname")
