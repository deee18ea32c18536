"""The seed's four stacks plus the deploy role's, their dependency graph, region and outputs."""

from deploy.config import StackOutput, StackParameter, StackPart
from tests.deploy.infra.synthesis import PARTS


def stack_dependencies(synthesis, config) -> dict[str, set[str]]:
    names = {config.stack_name(part): part for part in PARTS}
    artifacts = synthesis.manifest()["artifacts"]
    return {
        names[name]: {names[d] for d in artifact.get("dependencies", []) if d in names}
        for name, artifact in artifacts.items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def test_dependency_graph_is_the_seeds(synthesis, config):
    assert stack_dependencies(synthesis, config) == {
        StackPart.NETWORK: set(),
        StackPart.DATABASE: {StackPart.NETWORK},
        StackPart.REGISTRY: set(),
        StackPart.SERVICE: {StackPart.NETWORK, StackPart.DATABASE, StackPart.REGISTRY},
        # The deploy role may open the test listener on the ALB's security group, made by the Network stack.
        StackPart.GITHUB: {StackPart.NETWORK, StackPart.REGISTRY, StackPart.SERVICE},
    }


def test_every_stack_targets_the_region_without_a_looked_up_account(synthesis, config):
    artifacts = synthesis.manifest()["artifacts"]
    environments = {a["environment"] for a in artifacts.values() if a["type"] == "aws:cloudformation:stack"}
    assert environments == {f"aws://unknown-account/{config.region}"}


def test_service_stack_outputs_what_the_deploy_command_reads(service):
    outputs = service.to_json()["Outputs"]
    expected = {v for k, v in vars(StackOutput).items() if k.isupper()}
    assert expected <= set(outputs)


def test_image_tag_is_a_parameter_without_default(service):
    parameter = service.to_json()["Parameters"][StackParameter.IMAGE_TAG]
    assert parameter["Type"] == "String"
    assert "Default" not in parameter


def test_stacks_are_tagged_with_project_and_environment(registry, config):
    repository = registry.to_json()["Resources"]["Repository"]
    assert {"Key": "Environment", "Value": config.name} in repository["Properties"]["Tags"]


def test_service_stack_outputs_the_alb_security_group_the_test_listener_is_opened_on(service):
    template = service.to_json()
    output = template["Outputs"][StackOutput.ALB_SECURITY_GROUP_ID]["Value"]
    assert output["Fn::Select"][0] == 0
    alb, attribute = output["Fn::Select"][1]["Fn::GetAtt"]
    assert template["Resources"][alb]["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    assert attribute == "SecurityGroups"
