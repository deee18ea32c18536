"""One error shape for every failure: ``{"type": ..., "errors": [{"code", "detail", "attr"}]}``.

DRF exceptions are formatted by drf-standardized-errors; this module adds the failures DRF does not
know (a database that is away, a body that is too large) and Django's own 400/404/500 handlers, which
answer for requests that never reach a DRF view (unknown paths, a bad ``Host``).
"""

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from django.views.decorators.csrf import csrf_exempt
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework.settings import api_settings

from messaging.api.error_shape import error_body
from messaging.api.exceptions import DatabaseUnavailable, RequestEntityTooLarge


class ErrorResponse(HttpResponse):
    """An error body answered outside DRF, rendered by DRF's own renderer (``DEFAULT_RENDERER_CLASSES``).

    A client then gets byte for byte the same JSON whether the error came from a DRF view, a Django
    handler or a middleware; ``django.http.JsonResponse`` would write it with other spacing.
    """

    def __init__(self, data: dict, status: int):
        renderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
        super().__init__(renderer.render(data), status=status, content_type=renderer.media_type)


class MessagingExceptionHandler(ExceptionHandler):
    def report_exception(self, exc, response) -> None:
        """A database away is expected and comes in floods: one line per request, not a traceback each."""
        if isinstance(exc, DatabaseUnavailable):
            request = getattr(self.context.get("request"), "_request", None)
            cause = next(iter(str(self.exc).splitlines()), "")
            # Django's own helper, so the handler does not log the same response a second time.
            log_response(
                "%s: %s (%s: %s)",
                response.status_text,
                getattr(request, "path", ""),
                type(self.exc).__name__,
                cause,
                response=response,
                request=request,
            )
            return
        super().report_exception(exc, response)

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return DatabaseUnavailable()
        if isinstance(exc, RequestDataTooBig):
            return RequestEntityTooLarge()
        return super().convert_known_exceptions(exc)


def bad_request(request: HttpRequest, exception: Exception) -> ErrorResponse:
    return ErrorResponse(error_body("client_error", "bad_request", "Bad request."), status=400)


# Exempt because it also answers every unknown path (project.urls): a POST there got the CSRF check's HTML
# 403 instead of this 404. It changes nothing, so there is nothing to protect.
@csrf_exempt
def not_found(request: HttpRequest, exception: Exception) -> ErrorResponse:
    return ErrorResponse(error_body("client_error", "not_found", "Not found."), status=404)


def server_error(request: HttpRequest) -> ErrorResponse:
    return ErrorResponse(error_body("server_error", "error", "Server Error (500)"), status=500)
