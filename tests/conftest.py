"""Suite-wide fixtures, and the ``slow`` marker's switch."""

import os

import pytest
from rest_framework.test import APIClient

SLOW_SKIP_REASON = "slow test (real server under load, or under valgrind): set RUN_SLOW=1 to run it (.ci/run does)"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` run only with ``RUN_SLOW=1``, which ``.ci/run`` sets; a plain run says it skipped them."""
    if os.environ.get("RUN_SLOW") == "1":
        return
    skip_slow = pytest.mark.skip(reason=SLOW_SKIP_REASON)
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture
def api() -> APIClient:
    """A client that goes through the real URL routing and the whole middleware stack."""
    return APIClient()
