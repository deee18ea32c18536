"""API routes, each with and without a trailing slash: the seed posts to ``/messages`` as is."""

from django.urls import re_path

from messaging.api.views import MessageDetailView, MessageListCreateView, ReadinessView

urlpatterns = [
    re_path(r"^messages/?$", MessageListCreateView.as_view(), name="message-list"),
    re_path(r"^messages/(?P<pk>[0-9]{1,19})/?$", MessageDetailView.as_view(), name="message-detail"),
    re_path(r"^health/ready/?$", ReadinessView.as_view(), name="health-ready"),
]
