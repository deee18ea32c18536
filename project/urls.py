"""Routes: the messages API, readiness, the OpenAPI schema and docs, and the admin.

Every route answers with and without a trailing slash, except the admin's own pages, which need it:
``/admin`` redirects to ``/admin/`` for them.
"""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from messaging.api.errors import not_found
from messaging.api.schema_views import CachedSchemaView
from messaging.api.urls import with_slash_alias

urlpatterns = [
    path("", include("messaging.api.urls")),
    *with_slash_alias("api/schema", CachedSchemaView.as_view(), "schema"),
    *with_slash_alias("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), "swagger-ui"),
    *with_slash_alias("api/redoc", SpectacularRedocView.as_view(url_name="schema"), "redoc"),
    path("admin", RedirectView.as_view(pattern_name="admin:index", permanent=True)),
    path("admin/", admin.site.urls),
    # Last: anything else is a JSON 404 in every setting, DEBUG included (Django's debug page is HTML).
    re_path(r"", not_found, {"exception": None}),
]

handler400 = "messaging.api.errors.bad_request"
handler404 = "messaging.api.errors.not_found"
handler500 = "messaging.api.errors.server_error"
