"""Property-based fuzzing of the running API from its own OpenAPI schema: no 5xx, every answer documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

# Per operation; the schema has four, so about 800 requests in all: enough to find a 500 or an
# undocumented answer, quick enough for every CI run.
EXAMPLES_PER_OPERATION = 200

# Not checked: that every schema-valid body is accepted. The API trims text and refuses NUL bytes and
# lone surrogates, which JSON Schema cannot say exactly; those refusals are proven in test_bad_input.
EXCLUDED_CHECKS = [positive_data_acceptance]


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/api/schema")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_documented(case):
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
