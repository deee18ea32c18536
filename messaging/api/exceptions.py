"""API failures DRF has no class for; the exception handler in ``errors`` renders them."""

from rest_framework import exceptions, status

# A restarted or failed-over database is usually back within this many seconds.
DATABASE_RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "database_unavailable"
    wait = DATABASE_RETRY_AFTER_SECONDS


class RequestEntityTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "request_too_large"
