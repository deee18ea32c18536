"""Child processes: their lines become progress, silence becomes a line saying what is awaited and for how long."""

from __future__ import annotations

from deploy.bluegreen.errors import AwsCallError
from deploy.provision.gateways import role_already_taken
from deploy.provision.process import elapsed_text, process_run


def test_output_and_waiting_are_reported():
    events = []
    finished = process_run(
        ["sh", "-c", "echo first; sleep 0.5; echo second; exit 3"],
        awaited="the tool",
        progress=events.append,
        heartbeat_seconds=0.2,
    )
    texts = [event.text for event in events]
    assert finished.returncode == 3
    assert finished.output == ["first", "second"]
    assert texts[0] == "    first"
    assert texts[-1] == "    second"
    assert any(text.startswith("  waiting for the tool (0 s so far)") for text in texts[1:-1])


def test_a_missing_executable_is_an_exit_code_not_a_traceback(tmp_path):
    finished = process_run([str(tmp_path / "cdk")], awaited="cdk", progress=lambda event: None)
    assert finished.returncode == 127


def test_elapsed_reads_as_minutes_and_seconds():
    assert elapsed_text(42.7) == "42 s"
    assert elapsed_text(185) == "3 min 05 s"


def test_iam_s_answer_for_an_existing_service_linked_role_is_recognised():
    """IAM answers InvalidInput "Service role name AWSServiceRoleForECS has been taken in this account, please
    try a different suffix." (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)."""
    taken = AwsCallError(
        "iam CreateServiceLinkedRole",
        "InvalidInput",
        "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
    )
    assert role_already_taken(taken)
    assert not role_already_taken(AwsCallError("iam CreateServiceLinkedRole", "AccessDenied", "not authorized"))
