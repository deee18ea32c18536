"""Fixtures over the session's synthesized cloud assemblies, one per environment."""

from __future__ import annotations

import functools

import pytest
from aws_cdk.assertions import Template

from deploy.config import EnvironmentConfig, StackPart, get_config
from tests.deploy.infra.synthesis import ENVS, Synthesis, synthesized


@pytest.fixture(params=ENVS, scope="session")
def env(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def config(env) -> EnvironmentConfig:
    return get_config(env)


@pytest.fixture(scope="session")
def synthesis(env) -> Synthesis:
    return synthesized(env)


@functools.cache
def _template(env: str, part: str) -> Template:
    return Template.from_json(synthesized(env).template_json(part))


@pytest.fixture(scope="session")
def network(env) -> Template:
    return _template(env, StackPart.NETWORK)


@pytest.fixture(scope="session")
def database(env) -> Template:
    return _template(env, StackPart.DATABASE)


@pytest.fixture(scope="session")
def registry(env) -> Template:
    return _template(env, StackPart.REGISTRY)


@pytest.fixture(scope="session")
def service(env) -> Template:
    return _template(env, StackPart.SERVICE)


@pytest.fixture(scope="session")
def github(env) -> Template:
    return _template(env, StackPart.GITHUB)


def resources_of(template: Template, resource_type: str) -> dict[str, dict]:
    """The resources of one type, by logical ID."""
    return template.find_resources(resource_type)
