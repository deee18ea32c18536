"""Suite-wide fixtures."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api() -> APIClient:
    """A client that goes through the real URL routing and the whole middleware stack."""
    return APIClient()
