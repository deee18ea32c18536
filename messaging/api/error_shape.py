"""The API's one error shape, with no Django imports: gunicorn's own error answers use it too.

Rendered as compact JSON everywhere: by DRF's renderer for views, by ``messaging.api.errors.ErrorResponse``
for Django's handlers and middleware, and by ``project.server_errors`` for gunicorn.
"""


def error_body(error_type: str, code: str, detail: str) -> dict:
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]}
