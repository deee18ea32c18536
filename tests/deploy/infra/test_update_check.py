"""The rule for stack updates after the first release, proven on the synthesized ECS template.

Sources: CodeDeploy leaves the production listener forwarding with weights (new 100, old 0), so the
listener no longer matches the template (the CodeDeploy team, quoted in
https://github.com/traveloka/terraform-aws-alb-single-listener/pull/47; Terraform users ignore the
listener's default_action for this reason, https://github.com/Pocket/terraform-modules/pull/59);
UpdateService accepts only a few properties under CODE_DEPLOY
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html).
"""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from deploy.config import StackPart
from deploy.infra.update_check import update_problems


@pytest.fixture
def deployed(service) -> dict:
    return service.to_json()


def resource_of(template: dict, kind: str, prefix: str = "") -> dict:
    (found,) = [r for i, r in template["Resources"].items() if r["Type"] == kind and i.startswith(prefix)]
    return found


def test_the_same_template_may_be_deployed_again(deployed):
    assert update_problems(deployed, copy.deepcopy(deployed)) == []


def test_a_change_to_the_production_listeners_actions_is_refused(deployed):
    new = copy.deepcopy(deployed)
    listener = resource_of(new, "AWS::ElasticLoadBalancingV2::Listener", "LoadBalancerAlbProduction")
    green = resource_of(new, "AWS::ElasticLoadBalancingV2::Listener", "LoadBalancerAlbTest")["Properties"]
    listener["Properties"]["DefaultActions"] = green["DefaultActions"]

    (problem,) = update_problems(deployed, new)
    assert problem.logical_id.startswith("LoadBalancerAlbProduction")
    assert "DefaultActions" in problem.reason


def test_any_change_to_a_listener_is_refused_since_cloudformation_rewrites_its_actions(deployed):
    new = copy.deepcopy(deployed)
    resource_of(new, "AWS::ElasticLoadBalancingV2::Listener", "LoadBalancerAlbTest")["Properties"]["Port"] = 9090
    (problem,) = update_problems(deployed, new)
    assert "write back the default actions" in problem.reason


def test_adding_or_removing_a_listener_is_refused(deployed):
    new = copy.deepcopy(deployed)
    listener_id = next(
        i for i in new["Resources"] if i.startswith("LoadBalancerAlbTest") and "Listener" in new["Resources"][i]["Type"]
    )
    new["Resources"]["Extra"] = new["Resources"].pop(listener_id)
    reasons = sorted(p.reason for p in update_problems(deployed, new))
    assert reasons[0].startswith("a new listener")
    assert reasons[1].startswith("the listener would be deleted")


def test_replacing_a_target_group_is_refused(deployed):
    new = copy.deepcopy(deployed)
    resource_of(new, "AWS::ElasticLoadBalancingV2::TargetGroup", "LoadBalancerBlue")["Properties"]["Port"] = 8081
    (problem,) = update_problems(deployed, new)
    assert "replaces it" in problem.reason


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TaskDefinition", "another-family"),
        ("NetworkConfiguration", {"AwsvpcConfiguration": {"Subnets": ["subnet-1"]}}),
        ("LoadBalancers", []),
        ("PlatformVersion", "1.4.0"),
    ],
)
def test_service_properties_codedeploy_owns_are_refused(deployed, name, value):
    new = copy.deepcopy(deployed)
    resource_of(new, "AWS::ECS::Service")["Properties"][name] = value
    (problem,) = update_problems(deployed, new)
    assert name in problem.reason
    assert "CODE_DEPLOY" in problem.reason


@pytest.mark.parametrize(
    ("name", "value"),
    [("HealthCheckGracePeriodSeconds", 120), ("DeploymentConfiguration", {"MinimumHealthyPercent": 50})],
)
def test_service_properties_ecs_updates_under_codedeploy_are_allowed(deployed, name, value):
    new = copy.deepcopy(deployed)
    resource_of(new, "AWS::ECS::Service")["Properties"][name] = value
    assert update_problems(deployed, new) == []


def test_the_task_definition_and_scaling_may_change(deployed):
    # A new task definition revision reaches the service through the next release (ADR 0010).
    new = copy.deepcopy(deployed)
    resource_of(new, "AWS::ECS::TaskDefinition", "WebService")["Properties"]["Cpu"] = "512"
    resource_of(new, "AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]["MaxCapacity"] = 20
    assert update_problems(deployed, new) == []


def test_the_command_refuses_an_unsafe_update_of_the_synthesized_stack(synthesis, config, deployed, tmp_path):
    old = copy.deepcopy(deployed)
    listener = resource_of(old, "AWS::ElasticLoadBalancingV2::Listener", "LoadBalancerAlbProduction")
    listener["Properties"]["DefaultActions"][0]["TargetGroupArn"] = {"Ref": "SomethingElse"}
    path = tmp_path / "deployed.json"
    path.write_text(json.dumps(old))
    err = io.StringIO()

    with pytest.raises(CommandError, match=f"{config.stack_name(StackPart.SERVICE)}: 1 change"):
        call_command(
            "check_infra_update",
            "--env",
            config.name,
            "--deployed",
            str(path),
            "--assembly",
            str(synthesis.outdir),
            stderr=err,
        )
    assert "LoadBalancerAlbProduction" in err.getvalue()


def test_the_command_passes_the_synthesized_stack_over_itself(synthesis, config, tmp_path):
    path = tmp_path / "deployed.json"
    path.write_text(synthesis.template_path(StackPart.SERVICE).read_text())
    out = io.StringIO()
    call_command(
        "check_infra_update",
        "--env",
        config.name,
        "--deployed",
        str(path),
        "--assembly",
        str(synthesis.outdir),
        stdout=out,
    )
    assert "leaves the listeners and the service to CodeDeploy" in out.getvalue()


def test_the_command_says_what_to_do_without_a_deployed_template(synthesis, config, tmp_path):
    with pytest.raises(CommandError, match="save it with aws cloudformation get-template"):
        call_command(
            "check_infra_update",
            "--env",
            config.name,
            "--deployed",
            str(tmp_path / "none.json"),
            "--assembly",
            str(synthesis.outdir),
        )
