"""The OpenAPI 3 schema and its interactive docs."""

import io

import pytest
import yaml
from django.core.management import call_command


def test_schema_validates_without_warnings():
    out = io.StringIO()

    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)

    schema = yaml.safe_load(out.getvalue())
    assert schema["openapi"].startswith("3.")
    assert {"/messages", "/messages/{id}", "/health/ready"} <= set(schema["paths"])


def test_schema_documents_the_list_parameters_and_error_responses(api):
    schema = yaml.safe_load(api.get("/api/schema").content)

    list_operation = schema["paths"]["/messages"]["get"]
    names = {parameter["name"] for parameter in list_operation["parameters"]}
    assert {"cursor", "page_size", "sender", "after"} <= names
    assert "400" in list_operation["responses"]
    assert "415" in schema["paths"]["/messages"]["post"]["responses"]


@pytest.mark.parametrize("path", ["/api/docs", "/api/redoc"])
def test_interactive_docs_are_served(api, path):
    response = api.get(path)

    assert response.status_code == 200
    assert b"/api/schema" in response.content


def test_page_size_bounds_are_documented(api):
    schema = yaml.safe_load(api.get("/api/schema").content)

    (page_size,) = [p for p in schema["paths"]["/messages"]["get"]["parameters"] if p["name"] == "page_size"]
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}


def test_every_operation_documents_the_servers_own_refusals_in_the_error_shape(api):
    """The proxy answers an over-long URI or oversized headers itself (deploy/proxy/nginx.conf)."""
    schema = yaml.safe_load(api.get("/api/schema").content)

    operations = [operation for path in schema["paths"].values() for operation in path.values()]
    assert len(operations) >= 4
    for operation in operations:
        for status in ("414", "431"):
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "ErrorResponse" in schema["components"]["schemas"]


def test_only_posting_documents_the_post_limits_429_in_the_error_shape(api):
    schema = yaml.safe_load(api.get("/api/schema").content)
    messages = schema["paths"]["/messages"]

    refused = messages["post"]["responses"]["429"]["content"]["application/json"]["schema"]
    assert refused == {"$ref": "#/components/schemas/ErrorResponse429"}
    assert "429" not in messages["get"]["responses"]
