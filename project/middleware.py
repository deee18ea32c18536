"""Middleware that must run before Django looks at the request: health answers and the request log."""

import time
import uuid

from django.http import HttpRequest, HttpResponse

from messaging.api.error_shape import error_body
from messaging.api.errors import ErrorResponse
from project import request_log
from project.runtime import HEALTH_PATH

HEALTH_PATHS = frozenset({HEALTH_PATH, HEALTH_PATH + "/"})
# Compact, as every other JSON body of the API.
HEALTH_BODY = b'{"status":"ok"}'
# ALB adds X-Amzn-Trace-Id to every request; it ties the request log to the load balancer's logs.
TRACE_HEADER = "HTTP_X_AMZN_TRACE_ID"


class HealthCheckMiddleware:
    """Answer ``GET /health`` before host validation, sessions, the bulkhead or the database are involved.

    The ALB and the container health check call it every 30 s with the task's private IP as ``Host``;
    it must pass with ``ALLOWED_HOSTS`` locked to the real host names and while the database is away,
    so liveness never depends on anything but the process serving requests.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in HEALTH_PATHS and request.method in ("GET", "HEAD"):
            return HttpResponse(HEALTH_BODY, content_type="application/json")
        return self.get_response(request)


class LengthRequiredMiddleware:
    """Refuse a body sent without ``Content-Length`` (chunked) with 411 rather than reading it as empty.

    Django reads the body only up to ``Content-Length``; without it, a chunked POST would look empty
    and be answered "field required", which misleads the client about what went wrong.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_TRANSFER_ENCODING" in request.META and not request.META.get("CONTENT_LENGTH"):
            body = error_body("client_error", "length_required", "Send the body with a Content-Length header.")
            return ErrorResponse(body, status=411)
        return self.get_response(request)


class RequestLogMiddleware:
    """Write one JSON line per request (method, path, status, duration, request id) for CloudWatch.

    Only the path is logged, never the query string or body: message content and senders stay out
    of the logs. ``project.request_log`` writes the line, when the logging config lets it through.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.request_id = request.META.get(TRACE_HEADER) or uuid.uuid4().hex
        response = self.get_response(request)
        if request_log.enabled():
            request_log.write(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request.request_id,
                }
            )
        return response
