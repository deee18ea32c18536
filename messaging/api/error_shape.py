"""The API's one error shape; the proxy's own refusals (deploy/proxy/nginx.conf) are written in it too.

Rendered as compact JSON everywhere: by DRF's renderer for views, by ``messaging.api.errors.ErrorResponse``
for Django's handlers and middleware.
"""


def error_body(error_type: str, code: str, detail: str) -> dict:
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]}
