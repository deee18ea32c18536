"""The messaging app: text messages posted and listed over the API and inspected in the admin."""

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
