"""The API's one error shape, with no Django imports: gunicorn's own error answers use it too."""


def error_body(error_type: str, code: str, detail: str) -> dict:
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]}
