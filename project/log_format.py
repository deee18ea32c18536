"""The one JSON log line shape, shared by Django's LOGGING and gunicorn's own logs (no Django imports)."""

JSON_FORMATTER = {
    "()": "pythonjsonlogger.orjson.OrjsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
