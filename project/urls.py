"""Routes: the messages API, readiness, the OpenAPI schema and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from messaging.api.errors import not_found

urlpatterns = [
    path("", include("messaging.api.urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
    # Last: anything else is a JSON 404 in every setting, DEBUG included (Django's debug page is HTML).
    re_path(r"", not_found, {"exception": None}),
]

handler400 = "messaging.api.errors.bad_request"
handler404 = "messaging.api.errors.not_found"
handler500 = "messaging.api.errors.server_error"
