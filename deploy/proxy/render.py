"""The proxy container's configuration and command, rendered from one environment's configuration.

The task definition (``deploy.infra.web_service``) and the tests (``tests/support/proxy.py``) both run
what this renders, so the proxy tested is the proxy deployed; only the ports and the prefix directory
differ in a test, which has to bind free ones.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

from deploy.config import EnvironmentConfig

TEMPLATE = Path(__file__).with_name("nginx.conf")
# The variable the rendered configuration reaches the container in, and the directory it is written to
# and nginx keeps its pid and buffer files in (writable by the image's unprivileged user).
CONFIG_VARIABLE = "NGINX_CONF"
PREFIX_VARIABLE = "NGINX_PREFIX"
TASK_PREFIX = "/tmp"  # noqa: S108 - the container's own /tmp, nothing else runs there
# The stock image's command would run its entrypoint's scripts, which rewrite /etc/nginx as root; this
# writes the configuration where the unprivileged user can and execs nginx, so nginx is PID 1 and
# receives the stop signal itself.
COMMAND = (
    "/bin/sh",
    "-c",
    f'printf "%s" "${CONFIG_VARIABLE}" > "${PREFIX_VARIABLE}/nginx.conf"'
    f' && exec nginx -p "${PREFIX_VARIABLE}/" -e stderr -c "${PREFIX_VARIABLE}/nginx.conf"',
)

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class ProxyConfigError(ValueError):
    """Raised when the template names a value the configuration does not have."""


def proxy_values(config: EnvironmentConfig, *, listen_port: int | None = None, app_port: int | None = None) -> dict:
    """Every value the template may name: the proxy's own, the service's ports and body limit."""
    return {
        **asdict(config.proxy),
        "listen_port": listen_port or config.service.container_port,
        "app_port": app_port or config.service.app_port,
        "max_request_body_bytes": config.service.max_request_body_bytes,
    }


def render(config: EnvironmentConfig, *, listen_port: int | None = None, app_port: int | None = None) -> str:
    """The nginx configuration for ``config``; ``listen_port`` and ``app_port`` move it off the task's ports."""
    values = proxy_values(config, listen_port=listen_port, app_port=app_port)

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise ProxyConfigError(f"{TEMPLATE.name} names {{{{{name}}}}}, which the configuration does not have")
        return str(values[name])

    return _PLACEHOLDER.sub(fill, TEMPLATE.read_text())


def proxy_environment(config: EnvironmentConfig, **ports: int) -> dict[str, str]:
    """The proxy container's environment: its rendered configuration and the directory it is written to."""
    return {CONFIG_VARIABLE: render(config, **ports), PREFIX_VARIABLE: TASK_PREFIX}
