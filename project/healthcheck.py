"""The app container's health check: exit 0 when its own gunicorn answers GET /health, 1 otherwise.

Run as ``python -m project.healthcheck`` by the Dockerfile HEALTHCHECK and the ECS task definition
(``project.runtime.HEALTH_CHECK_COMMAND``): the image has no wget or curl. It uses the standard library
only and never imports Django, so a check costs a Python start-up and one request.
"""

import os
import sys
import urllib.error
import urllib.request

from project.runtime import APP_PORT, HEALTH_PATH

# Well inside the ECS health check timeout, so a hung server is reported as unhealthy, not as a timeout.
TIMEOUT_SECONDS = 3.0


def health_url() -> str:
    # The same PORT variable that moves gunicorn's bind address (gunicorn.conf.py).
    return f"http://127.0.0.1:{int(os.environ.get('PORT', APP_PORT))}{HEALTH_PATH}"


def check(url: str, *, timeout: float = TIMEOUT_SECONDS) -> bool:
    # No proxy: an HTTP_PROXY in the task's environment must not carry a loopback request away.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main() -> int:
    url = health_url()
    if check(url):
        return 0
    print(f"unhealthy: no 200 from {url}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
