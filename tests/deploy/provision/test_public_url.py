"""Where provision asks for readiness and says the environment serves: the domain over HTTPS when there is
one (port 80 only redirects there, and the tasks answer the domain's name alone), else the ALB's name."""

from __future__ import annotations

import dataclasses

from deploy.bluegreen.events import Event
from deploy.provision.cdk import CdkCli
from deploy.provision.gateways import provision_gateways
from deploy.provision.image import Docker
from deploy.provision.provisioner import Provisioner, ProvisionOptions
from tests.deploy.infra.synthesis import TEST_DOMAIN, synthesized
from tests.deploy.provision.conftest import CONFIG


def test_the_public_url_is_the_domain_s_over_https_else_the_load_balancer_s():
    assert CONFIG.public_url(alb_dns_name="alb-1.elb.amazonaws.com") == "http://alb-1.elb.amazonaws.com"
    assert CONFIG.public_url(alb_dns_name=None) is None
    with_domain = dataclasses.replace(CONFIG, domain=TEST_DOMAIN)
    assert with_domain.public_url(alb_dns_name="alb-1.elb.amazonaws.com") == f"https://{TEST_DOMAIN.name}"
    assert with_domain.public_url(alb_dns_name=None) == f"https://{TEST_DOMAIN.name}"


def test_the_dry_run_waits_for_readiness_at_the_public_url(account, monkeypatch):
    for name, value in account.env().items():
        if name.startswith(("AWS_", "STANDIN_")):
            monkeypatch.setenv(name, value)
    for config, url in (
        (CONFIG, "http://<AlbDnsName>/health/ready"),  # the ECS stack's output, once it is created
        (dataclasses.replace(CONFIG, domain=TEST_DOMAIN), f"https://{TEST_DOMAIN.name}/health/ready"),
    ):
        events: list[Event] = []
        provisioner = Provisioner(
            config,
            gateways=provision_gateways(config.region),
            cdk=CdkCli(executable=str(account.tools / "cdk"), progress=events.append),
            docker=Docker(executable=str(account.tools / "docker"), progress=events.append),
            options=ProvisionOptions(assembly=synthesized("dev").outdir, image="v1"),
            progress=events.append,
        )
        assert provisioner.provision(dry_run=True).url is None
        assert f"  would run the migrations (a first deployment), then wait for {url}" in [e.text for e in events]
    assert account.proxy.writes() == []
