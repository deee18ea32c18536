"""The quick content negotiation picks exactly what DRF's default would, for every kind of request."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from messaging.api.negotiation import QuickContentNegotiation
from messaging.api.renderers import ORJSONRenderer

ACCEPT_HEADERS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html",
    "text/html, application/xhtml+xml, */*;q=0.8",
    "application/json;q=0.5, text/html",
    "image/png",
    "*/* ",
    "",
]
RENDERER_SETS = [
    [ORJSONRenderer()],
    [ORJSONRenderer(), BrowsableAPIRenderer()],
    [TemplateHTMLRenderer(), JSONRenderer()],
]
QUERIES = ["", "?format=json", "?format=api", "?format=html", "?sender=ann"]


def choose(negotiation, request, renderers, format_suffix=None):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, format_suffix)
    except NotAcceptable:
        return "406"
    except Http404:
        return "404"
    return type(renderer), media_type


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("renderers", RENDERER_SETS, ids=lambda rs: "+".join(type(r).__name__ for r in rs))
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("format_suffix", [None, "json"])
def test_same_choice_as_drf(accept, renderers, query, format_suffix):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/messages" + query, **headers))

    quick = choose(QuickContentNegotiation(), request, renderers, format_suffix)

    assert quick == choose(DefaultContentNegotiation(), request, renderers, format_suffix)


@pytest.mark.django_db
def test_the_api_uses_it(api):
    response = api.get("/messages", HTTP_ACCEPT="*/*")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert api.get("/messages", HTTP_ACCEPT="text/html").status_code == 406
