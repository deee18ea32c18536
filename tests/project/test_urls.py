"""project.urls: every route answers with and without a trailing slash, and ``/admin`` leads to the admin."""

import pytest
import yaml

from messaging.models import Message

pytestmark = pytest.mark.django_db

# Routes the README lists besides the schema's own paths: liveness, the schema and its interactive docs.
ROUTES_OUTSIDE_THE_SCHEMA = ["/health", "/api/schema", "/api/docs", "/api/redoc"]


def documented_routes(api) -> list[str]:
    message = Message.objects.create(sender="alice", content="hi")
    schema = yaml.safe_load(api.get("/api/schema").content)
    return [path.replace("{id}", str(message.id)) for path in schema["paths"]] + ROUTES_OUTSIDE_THE_SCHEMA


def test_every_documented_route_answers_with_and_without_a_trailing_slash(api):
    routes = documented_routes(api)

    answers = {}
    for route in routes:
        bare, slashed = api.get(route), api.get(f"{route}/")
        answers[route] = (bare.status_code, slashed.status_code, bare["Content-Type"] == slashed["Content-Type"])

    assert len(routes) >= 7
    assert answers == {route: (200, 200, True) for route in routes}


def test_the_slash_forms_are_not_documented_a_second_time(api):
    paths = yaml.safe_load(api.get("/api/schema").content)["paths"]

    assert [path for path in paths if path.endswith("/") or path.startswith("/api/")] == []


@pytest.mark.parametrize("route", ["/api/docs", "/api/docs/", "/api/redoc", "/api/redoc/"])
def test_the_docs_load_the_schema_from_its_slash_less_route_in_both_forms(api, route):
    assert b'"/api/schema"' in api.get(route).content


def test_admin_without_the_slash_redirects_permanently_to_the_admin(api):
    response = api.get("/admin")

    assert response.status_code == 301
    assert response["Location"] == "/admin/"


def test_admin_without_the_slash_reaches_the_admin_login(api):
    response = api.get("/admin", follow=True)

    assert response.redirect_chain[0] == ("/admin/", 301)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/admin/login/"
