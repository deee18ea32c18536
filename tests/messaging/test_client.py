"""The client address behind exactly one proxy: the ALB's appended entry, never the client's own."""

import pytest
from django.test import RequestFactory

from messaging.client import client_address


def request_with(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.1.7", **meta)


def test_without_a_proxy_header_the_socket_address():
    assert client_address(request_with()) == "10.0.1.7"


def test_the_entry_the_load_balancer_appended():
    assert client_address(request_with(HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"


def test_forged_leading_entries_are_ignored():
    forged = "1.1.1.1, 2.2.2.2,  203.0.113.9"

    assert client_address(request_with(HTTP_X_FORWARDED_FOR=forged)) == "203.0.113.9"


def test_ipv6_is_normalised():
    assert client_address(request_with(HTTP_X_FORWARDED_FOR="2001:DB8:0:0::1")) == "2001:db8::1"


@pytest.mark.parametrize("garbage", ["unknown", "1.1.1.1, ", "203.0.113.9:443", "x" * 500])
def test_an_entry_that_is_not_an_address_falls_back_to_the_socket(garbage):
    assert client_address(request_with(HTTP_X_FORWARDED_FOR=garbage)) == "10.0.1.7"
