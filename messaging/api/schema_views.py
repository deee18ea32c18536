"""The OpenAPI schema view, answering from a document generated once per process and format."""

import threading
from typing import ClassVar

from django.http import HttpResponse
from django.test import RequestFactory
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView

# Query parameters drf-spectacular's view turns into another document; a request with one is generated afresh.
VARIANT_PARAMETERS = ("lang", "version")


class CachedSchemaView(SpectacularAPIView):
    """drf-spectacular's schema view, keeping each rendered format for the life of the process.

    The schema is a function of the code, which does not change while a process runs, yet generating it
    walks every view and serializer (docs/adr/0011-cached-openapi-schema.md). One document is kept per
    renderer, so ``?format=`` and ``Accept`` pick the format as before. A request for a variant
    (``?lang=``, ``?version=``, ``Accept`` parameters such as ``indent``) is generated afresh, uncached:
    what clients send can never grow the cache.

    At most one generation runs at a time in a process: drf-spectacular is not thread-safe while it
    generates. It resolves its extensions' target classes lazily into class attributes on first use
    (``OpenApiGeneratorExtension._load_class``) and patches its global settings for the view's
    duration, so two first requests generating at once in one worker's threads could answer 500. The
    requests that wait for the lock then find the document the first one stored. ``build_documents``
    stores every format up front, where gunicorn preloads the app (project.wsgi), so no worker's request
    generates one.
    """

    documents: ClassVar[dict[str, tuple[bytes, str, str]]] = {}
    generating: ClassVar[threading.Lock] = threading.Lock()

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request, *args, **kwargs):
        if not self.is_cacheable(request):
            with self.generating:
                return super().get(request, *args, **kwargs)
        document = self.documents.get(request.accepted_media_type)
        if document is None:
            with self.generating:
                document = self.documents.get(request.accepted_media_type)
                if document is None:
                    document = self.documents[request.accepted_media_type] = self.render(
                        request, super().get(request, *args, **kwargs)
                    )
        content, content_type, disposition = document
        return HttpResponse(content, content_type=content_type, headers={"Content-Disposition": disposition})

    @classmethod
    def build_documents(cls, path: str = "/api/schema") -> None:
        """Generate the schema once and keep every format of it now: one request per renderer through the
        view itself, so the documents are the ones a client's first request would have stored."""

        class GeneratedOnce(cls.generator_class):
            schema = None

            def get_schema(self, *args, **kwargs):
                if GeneratedOnce.schema is None:
                    GeneratedOnce.schema = super().get_schema(*args, **kwargs)
                return GeneratedOnce.schema

        view, factory = cls.as_view(generator_class=GeneratedOnce), RequestFactory()
        for renderer in cls.renderer_classes:
            view(factory.get(path, HTTP_ACCEPT=renderer.media_type))

    def is_cacheable(self, request) -> bool:
        media_types = {renderer.media_type for renderer in self.get_renderers()}
        return request.accepted_media_type in media_types and not any(
            name in request.query_params for name in VARIANT_PARAMETERS
        )

    def render(self, request, response) -> tuple[bytes, str, str]:
        """Render the generated answer as ``finalize_response`` would have it rendered, once."""
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        response.render()
        return response.content, response["Content-Type"], response["Content-Disposition"]
