"""Settings per context: ``local`` (default for manage.py), ``production`` (gunicorn), ``test`` (pytest)."""
