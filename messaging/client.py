"""Who the client is: its address as seen by the one load balancer in front of the app."""

import ipaddress

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The rightmost ``X-Forwarded-For`` entry if it is an IP address, else the socket's ``REMOTE_ADDR``.

    The ALB appends the address of whoever connected to it as the *last* entry; anything to its left
    came from the client and may be forged, so it is never read. The app's security group admits only
    the ALB, so a request without the header (or with garbage) can only be a local probe or a test.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded:
        return remote_addr
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote_addr
