"""Suite-wide fixtures."""

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no posts counted: the in-process throttle cache outlives a single test."""
    caches[settings.THROTTLE_CACHE_ALIAS].clear()


@pytest.fixture
def api() -> APIClient:
    """A client that goes through the real URL routing and the whole middleware stack."""
    return APIClient()
