"""Infrastructure and delivery: a Django app without models so its commands live beside the code they drive."""

from django.apps import AppConfig


class DeployConfig(AppConfig):
    name = "deploy"
    verbose_name = "Infrastructure and delivery"
