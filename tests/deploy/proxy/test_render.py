"""deploy.proxy: the nginx configuration rendered from an environment's configuration, and its command line."""

import subprocess
import sys

import pytest

from deploy.config import ENVIRONMENTS
from deploy.proxy.render import CONFIG_VARIABLE, ProxyConfigError, proxy_environment, render
from messaging.limits import CONTENT_MAX_LENGTH, MAX_PAGE_SIZE, SENDER_MAX_LENGTH
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


def test_every_connection_together_stays_within_the_proxys_memory_budget():
    proxy = ENVIRONMENTS["prod"].proxy

    assert proxy.worst_memory_bytes <= proxy.memory_budget_mib * 2**20
    assert proxy.memory_budget_mib <= ENVIRONMENTS["prod"].service.memory_mib // 3


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_rendered_buffers_are_the_ones_the_budget_counts(env):
    config = ENVIRONMENTS[env]
    proxy = config.proxy

    rendered = render(config)

    for directive in [
        f"worker_connections {proxy.worker_connections};",
        f"client_body_buffer_size {proxy.body_buffer_bytes};",
        f"connection_pool_size {proxy.connection_pool_bytes};",
        f"request_pool_size {proxy.request_pool_bytes};",
        f"client_header_buffer_size {proxy.header_buffer_bytes};",
        f"large_client_header_buffers {proxy.large_header_buffers} {proxy.large_header_buffer_bytes};",
        f"proxy_buffer_size {proxy.answer_header_buffer_bytes};",
        f"proxy_buffers {proxy.answer_buffers} {proxy.answer_buffer_bytes};",
        f"proxy_max_temp_file_size {proxy.answer_temp_file_bytes};",
        f"output_buffers 1 {proxy.answer_buffer_bytes};",
    ]:
        assert rendered.count(directive) == 1, directive
    # Bodies past the in-memory buffer go to a file, never to memory, up to the body limit.
    assert proxy.body_buffer_bytes < config.service.max_request_body_bytes


def test_the_largest_page_fits_the_answer_temp_file():
    utf8_bytes_per_character = 4
    largest_page = MAX_PAGE_SIZE * (CONTENT_MAX_LENGTH + SENDER_MAX_LENGTH) * utf8_bytes_per_character

    assert largest_page < ENVIRONMENTS["prod"].proxy.answer_temp_file_bytes
