"""WSGI entry point for gunicorn; production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.production")

application = get_wsgi_application()

# Django imports the URLconf, and with it the views and the schema code, on a process's first request.
# Do it here instead: gunicorn preloads this module in the master, so every worker, also each one that
# replaces a recycled worker, starts with it done rather than stalling its first requests on it.
get_resolver().reverse_dict  # noqa: B018 - evaluated for its side effect of loading and indexing the URLs

# Likewise the OpenAPI schema's documents, each format generated once here instead of on a worker's
# first request for it (docs/adr/0011-cached-openapi-schema.md). Imported once Django is set up.
from messaging.api.schema_views import CachedSchemaView  # noqa: E402

CachedSchemaView.build_documents()
