"""The wait budget comes from the deployment group's own timings."""

from deploy.bluegreen.budget import MAX_MINUTES, traffic_shift_minutes, wait_budget


def group(*, action="STOP_DEPLOYMENT", wait=30, terminate="TERMINATE", termination=5):
    return {
        "blueGreenDeploymentConfiguration": {
            "deploymentReadyOption": {"actionOnTimeout": action, "waitTimeInMinutes": wait},
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": terminate,
                "terminationWaitTimeInMinutes": termination,
            },
        }
    }


def test_budget_adds_ready_wait_termination_wait_and_buffer():
    budget = wait_budget(group(), buffer_minutes=10)
    assert (budget.ready_minutes, budget.termination_minutes, budget.total_minutes) == (30, 5, 45)
    assert budget.total_seconds == 45 * 60


def test_ready_wait_counts_only_when_the_group_stops_on_it():
    assert wait_budget(group(action="CONTINUE_DEPLOYMENT")).ready_minutes == 0


def test_termination_wait_counts_only_when_blue_is_terminated():
    assert wait_budget(group(terminate="KEEP_ALIVE")).termination_minutes == 0


def test_budget_is_capped():
    assert wait_budget(group(wait=2880, termination=2880)).total_minutes == MAX_MINUTES


def test_group_without_blue_green_settings_gets_the_buffer_only():
    assert wait_budget({}, buffer_minutes=7).total_minutes == 7


def test_canary_and_linear_shifts_take_their_intervals():
    assert traffic_shift_minutes({"timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}}) == 5
    assert traffic_shift_minutes({"timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}}) == 10
    assert traffic_shift_minutes({"type": "AllAtOnce"}) == 0
    assert wait_budget(group(), traffic_routing={"timeBasedCanary": {"canaryInterval": 5}}).traffic_minutes == 5
