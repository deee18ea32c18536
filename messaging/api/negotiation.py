"""Content negotiation: DRF's own, with the commonest request answered before any header parsing."""

from rest_framework.negotiation import DefaultContentNegotiation


class QuickContentNegotiation(DefaultContentNegotiation):
    """Pick the first renderer at once when the client accepts anything or exactly its media type.

    Most clients send no ``Accept`` header or curl's ``*/*``; for those DRF parses the header, sorts it by
    precedence and settles on the first renderer, a visible share of a small request. The answer here is
    the very pair DRF would return; every other request goes through DRF
    (``tests/messaging/api/test_negotiation.py`` compares both).
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0]
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if (
            accept in ("*/*", first.media_type)
            and not format_suffix
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
