"""messaging.api.schema_views: the OpenAPI schema generated once per process and format, served unchanged."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.test import APIClient, APIRequestFactory

from messaging.api.schema_views import CachedSchemaView

# (query string, Accept header) pairs that select each of the view's formats.
FORMATS = {
    "yaml by default": ("", "*/*"),
    "json by ?format=": ("?format=json", "*/*"),
    "json by Accept": ("", "application/json"),
    "yaml by Accept": ("", "application/yaml"),
}


@pytest.fixture(autouse=True)
def _empty_cache():
    CachedSchemaView.documents.clear()
    yield
    CachedSchemaView.documents.clear()


@pytest.fixture
def generations(monkeypatch) -> list[None]:
    """One entry per schema generation: drf-spectacular's own generator, counted, still doing the work."""
    calls = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(None)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    return calls


def fresh_answer(query: str, accept: str):
    """drf-spectacular's own view, which generates the schema for every request."""
    response = SpectacularAPIView.as_view()(APIRequestFactory().get(f"/api/schema{query}", HTTP_ACCEPT=accept))
    return response.render()


def test_the_schema_is_generated_once_per_format_for_many_requests(api, generations):
    for _ in range(10):
        for query, accept in FORMATS.values():
            assert api.get(f"/api/schema{query}", HTTP_ACCEPT=accept).status_code == 200
            assert api.get(f"/api/schema/{query}", HTTP_ACCEPT=accept).status_code == 200

    assert len(generations) == len(FORMATS)


def test_simultaneous_first_requests_generate_once_and_all_answer(generations):
    # The real server's version of this (fresh gunicorn workers): tests/reliability/test_schema_first_requests.py.
    released = threading.Barrier(8)

    def fetch(_) -> int:
        client = APIClient()
        released.wait()
        return client.get("/api/schema").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(fetch, range(8)))

    assert statuses == [200] * 8
    assert len(generations) == 1


def test_documents_built_up_front_from_one_generation_answer_every_format_without_generating(api, generations):
    CachedSchemaView.build_documents()
    built = len(generations)

    answers = [api.get(f"/api/schema{query}", HTTP_ACCEPT=accept) for query, accept in FORMATS.values()]

    assert built == 1
    assert len(CachedSchemaView.documents) == len(CachedSchemaView.renderer_classes)
    assert len(generations) == built
    for answer, (query, accept) in zip(answers, FORMATS.values(), strict=True):
        assert answer.status_code == 200
        assert answer.content == fresh_answer(query, accept).content


@pytest.mark.parametrize(("query", "accept"), FORMATS.values(), ids=FORMATS.keys())
def test_the_cached_answer_equals_a_freshly_generated_one(api, query, accept):
    api.get(f"/api/schema{query}", HTTP_ACCEPT=accept)

    cached = api.get(f"/api/schema{query}", HTTP_ACCEPT=accept)
    fresh = fresh_answer(query, accept)

    assert cached.status_code == fresh.status_code == 200
    assert cached.content == fresh.content
    for header in ("Content-Type", "Content-Disposition", "Vary", "Allow"):
        assert cached[header] == fresh[header]


def test_content_negotiation_still_picks_yaml_or_json(api):
    yaml_answer = api.get("/api/schema")
    json_answer = api.get("/api/schema?format=json")
    accept_json_answer = api.get("/api/schema", HTTP_ACCEPT="application/json")

    assert yaml_answer["Content-Type"].startswith("application/vnd.oai.openapi;")
    assert json_answer["Content-Type"] == "application/vnd.oai.openapi+json"
    assert accept_json_answer["Content-Type"] == "application/json"
    schema = yaml.safe_load(yaml_answer.content)
    assert schema == json.loads(json_answer.content) == json.loads(accept_json_answer.content)


@pytest.mark.parametrize(
    ("query", "accept"),
    [("?lang=de", "*/*"), ("?version=2", "*/*"), ("", "application/json; indent=8")],
    ids=["lang", "version", "accept-parameters"],
)
def test_a_variant_is_generated_for_each_request_and_never_kept(api, generations, query, accept):
    first = api.get(f"/api/schema{query}", HTTP_ACCEPT=accept)
    second = api.get(f"/api/schema{query}", HTTP_ACCEPT=accept)

    assert len(generations) == 2
    assert CachedSchemaView.documents == {}
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == fresh_answer(query, accept).content


def test_the_schema_view_is_not_documented_in_the_schema(api):
    paths = yaml.safe_load(api.get("/api/schema").content)["paths"]

    assert not [path for path in paths if path.startswith("/api/")]
