"""API routes. The seed posts to ``/messages`` without a slash: both forms are served, never redirected,
and only the slash-less one is documented (see ``messaging.api.schema``)."""

from django.urls import path

from messaging.api.views import DETAIL_ROUTE, MessageDetailView, MessageListCreateView, ReadinessView


def with_slash_alias(route: str, view, name: str):
    return [path(route, view, name=name), path(f"{route}/", view)]


urlpatterns = [
    *with_slash_alias("messages", MessageListCreateView.as_view(), "message-list"),
    *with_slash_alias("messages/<int:pk>", MessageDetailView.as_view(), DETAIL_ROUTE),
    *with_slash_alias("health/ready", ReadinessView.as_view(), "health-ready"),
]
