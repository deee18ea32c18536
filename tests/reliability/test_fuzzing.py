"""Property-based fuzzing of the running API from its own OpenAPI schema: no 5xx, every answer documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

# Per operation; the schema has four, so about 700 requests in all: enough to find a 500 or an
# undocumented answer, quick enough for every CI run.
EXAMPLES_PER_OPERATION = 200

# What the answers must be: never a 5xx, and documented in status, media type, headers and body. Not
# checked is whether the API's acceptance matches JSON Schema to the letter: it trims text before the
# length check and refuses NUL bytes and lone surrogates (proven in test_bad_input), and a repeated query
# parameter counts once, as in Django; JSON Schema can say none of that exactly.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
]


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/api/schema")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_documented(case):
    case.call_and_validate(checks=CHECKS)
