"""With a domain in a Route 53 hosted zone: a DNS-validated certificate, HTTPS listeners, 80 redirecting,
and the task's HTTPS protections on. Read from the test-only ``prod-https`` variant's one synthesis."""

import json
import os
import subprocess
import sys

import pytest

from deploy.config import StackOutput, StackPart
from tests.deploy.infra.conftest import _template
from tests.deploy.infra.synthesis import HTTPS_VARIANT, TEST_DOMAIN, config_of
from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import image_env


@pytest.fixture(scope="module")
def service():
    return _template(HTTPS_VARIANT, StackPart.SERVICE)


@pytest.fixture(scope="module")
def github():
    return _template(HTTPS_VARIANT, StackPart.GITHUB)


def listeners(service) -> dict[int, tuple[str, dict]]:
    return {
        r["Properties"]["Port"]: (logical_id, r["Properties"])
        for logical_id, r in service.find_resources("AWS::ElasticLoadBalancingV2::Listener").items()
    }


def container_environment(service) -> dict:
    (definition,) = service.find_resources(
        "AWS::ECS::TaskDefinition", {"Properties": {"Family": "text-messaging-prod"}}
    ).values()
    # The app's container, beside the proxy's (ADR 0013).
    (app,) = [
        c
        for c in definition["Properties"]["ContainerDefinitions"]
        if c["Name"] == config_of(HTTPS_VARIANT).container_name
    ]
    return {e["Name"]: e["Value"] for e in app["Environment"]}


def test_the_certificate_is_validated_by_dns_in_the_hosted_zone(service):
    service.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": TEST_DOMAIN.name,
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [{"DomainName": TEST_DOMAIN.name, "HostedZoneId": TEST_DOMAIN.hosted_zone_id}],
        },
    )


def test_the_domain_points_at_the_load_balancer(service):
    (record,) = service.find_resources("AWS::Route53::RecordSet").values()
    props = record["Properties"]
    assert (props["Name"], props["Type"], props["HostedZoneId"]) == (
        f"{TEST_DOMAIN.name}.",
        "A",
        TEST_DOMAIN.hosted_zone_id,
    )
    assert "DNSName" in json.dumps(props["AliasTarget"])


def test_production_is_https_on_443_and_codedeploys_production_route(service):
    by_port = listeners(service)
    assert set(by_port) == {80, 443, 8080}
    (certificate_id,) = service.find_resources("AWS::CertificateManager::Certificate")
    for port in (443, 8080):
        props = by_port[port][1]
        assert props["Protocol"] == "HTTPS"
        assert props["Certificates"] == [{"CertificateArn": {"Ref": certificate_id}}]
        assert props["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    production_id, production = by_port[443]
    assert production["DefaultActions"][0]["TargetGroupArn"]["Ref"].startswith("LoadBalancerBlue")
    (group,) = service.find_resources("AWS::CodeDeploy::DeploymentGroup").values()
    (pair,) = group["Properties"]["LoadBalancerInfo"]["TargetGroupPairInfoList"]
    assert pair["ProdTrafficRoute"]["ListenerArns"] == [{"Ref": production_id}]
    assert pair["TestTrafficRoute"]["ListenerArns"] == [{"Ref": by_port[8080][0]}]
    outputs = service.to_json()["Outputs"]
    assert outputs[StackOutput.PRODUCTION_LISTENER_ARN]["Value"] == {"Ref": production_id}
    assert outputs[StackOutput.TEST_LISTENER_URL]["Value"] == f"https://{TEST_DOMAIN.name}:8080"


def test_port_80_only_redirects_to_443(service):
    _, plain = listeners(service)[80]
    assert plain["Protocol"] == "HTTP"
    assert plain["DefaultActions"] == [
        {"Type": "redirect", "RedirectConfig": {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"}}
    ]


def test_the_admin_is_served_over_https(service):
    assert service.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule") == {}


def test_the_task_answers_the_domain_with_hsts_and_secure_cookies(service):
    environment = container_environment(service)
    assert environment["DJANGO_HTTPS"] == "true"
    assert environment["DJANGO_ALLOWED_HOSTS"] == TEST_DOMAIN.name
    # The production settings under the task's own variables.
    probe = (
        "from django.conf import settings as s; import json; print(json.dumps([s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            **image_env(),
            "DJANGO_SETTINGS_MODULE": environment["DJANGO_SETTINGS_MODULE"],
            "DJANGO_HTTPS": environment["DJANGO_HTTPS"],
            "DJANGO_ALLOWED_HOSTS": environment["DJANGO_ALLOWED_HOSTS"],
            "DJANGO_SECRET_KEY": "settings-probe-only",
            "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    hsts, session_secure, csrf_secure, redirect, hosts = json.loads(result.stdout)
    assert hsts >= 60 * 60 * 24 * 365
    assert (session_secure, csrf_secure, redirect) == (True, True, True)
    assert hosts == [TEST_DOMAIN.name]


def test_an_existing_github_oidc_provider_is_trusted_by_its_arn_not_created(github):
    assert github.find_resources("AWS::IAM::OIDCProvider") == {}
    (role,) = github.find_resources("AWS::IAM::Role").values()
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    federated = json.dumps(trust["Principal"]["Federated"])
    assert ":oidc-provider/token.actions.githubusercontent.com" in federated
