"""The CD runner's public address, given or asked of an address echo service, checked strictly (ADR 0009)."""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request

from deploy.bluegreen.errors import RunnerAddressError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
ECHO_TIMEOUT_SECONDS = 10
# The longest address text (an IPv6 address with an embedded IPv4 one) is 45 characters, plus a newline.
ECHO_MAX_BYTES = 64
OVERRIDES = "pass --runner-address or --no-open-test-listener"


def runner_address_parse(text: str) -> Address:
    """One IP address and nothing else (surrounding whitespace aside): the listener is opened to exactly it."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise RunnerAddressError(f"{text[:ECHO_MAX_BYTES]!r} is not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            raise RunnerAddressError(f"{address} is a link-local address, not the runner's public one")
        # The load balancer sees an IPv4 client as IPv4, however the echo service wrote it.
        address = address.ipv4_mapped or address
    if address.is_unspecified or address.is_multicast or address.is_loopback:
        raise RunnerAddressError(f"{address} is not a host address the load balancer could see")
    return address


def runner_cidr(address: Address) -> str:
    """The address alone: /32 for IPv4, /128 for IPv6."""
    return f"{address}/{address.max_prefixlen}"


def runner_address_find(*, given: str | None, echo_url: str) -> tuple[Address, str]:
    """The address given (``--runner-address``), else the echo's answer; with where it came from."""
    if given:
        return runner_address_parse(given), "--runner-address"
    return runner_address_echo(echo_url), echo_url


def runner_address_echo(url: str) -> Address:
    """Ask ``url`` (which answers the caller's address as text) where this process's requests come from."""
    if not url.startswith(("http://", "https://")):
        raise RunnerAddressError(f"address echo URL {url!r} is not an HTTP URL; {OVERRIDES}")
    request = urllib.request.Request(url, headers={"Accept": "text/plain"})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=ECHO_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(ECHO_MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise RunnerAddressError(f"address echo {url} answered {error.code}; {OVERRIDES}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise RunnerAddressError(f"address echo {url} did not answer ({reason}); {OVERRIDES}") from None
    if len(body) > ECHO_MAX_BYTES:
        raise RunnerAddressError(f"address echo {url} answered more than an address; {OVERRIDES}")
    try:
        return runner_address_parse(body.decode("ascii"))
    except (UnicodeDecodeError, RunnerAddressError) as error:
        detail = error if isinstance(error, RunnerAddressError) else "not ASCII text"
        raise RunnerAddressError(f"address echo {url} answered {detail}; {OVERRIDES}") from None
