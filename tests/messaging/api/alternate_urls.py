"""A URLconf with the detail route elsewhere, for tests/messaging/api/test_locations.py."""

from django.urls import path

from messaging.api.views import MessageDetailView

urlpatterns = [path("v2/messages/<int:pk>/detail", MessageDetailView.as_view(), name="message-detail")]
