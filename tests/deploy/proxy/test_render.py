"""deploy.proxy: the nginx configuration rendered from an environment's configuration, and its command line."""

import subprocess
import sys

import pytest

from deploy.config import ENVIRONMENTS
from deploy.proxy.render import CONFIG_VARIABLE, ProxyConfigError, proxy_environment, render
from tests.support.dockerfile import REPO_ROOT


def test_the_task_definition_carries_the_rendered_configuration():
    config = ENVIRONMENTS["prod"]

    rendered = proxy_environment(config)[CONFIG_VARIABLE]

    assert rendered == render(config)
    assert "{{" not in rendered
    assert f"listen {config.service.container_port} " in rendered
    assert f"server 127.0.0.1:{config.service.app_port};" in rendered
    assert f"client_max_body_size {config.service.max_request_body_bytes};" in rendered


def test_a_template_name_the_configuration_lacks_is_refused(tmp_path, monkeypatch):
    template = tmp_path / "nginx.conf"
    template.write_text("listen {{no_such_value}};")
    monkeypatch.setattr("deploy.proxy.render.TEMPLATE", template)

    with pytest.raises(ProxyConfigError, match="no_such_value"):
        render(ENVIRONMENTS["dev"])


def test_the_command_line_writes_an_environments_configuration(tmp_path):
    output = tmp_path / "nginx.conf"

    result = subprocess.run(
        [sys.executable, "-m", "deploy.proxy", "--env", "prod", "--output", str(output)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert output.read_text() == render(ENVIRONMENTS["prod"])
