"""Production (the container): DEBUG off; the secret key and host names must be set, with no default."""

from project.settings.base import *  # noqa: F403
from project.settings.base import env
from project.settings.database import database_from_env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

DATABASES = {"default": database_from_env(env)}

# The ALB terminates client connections and says which scheme the client used.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False

# The seed's ALB serves plain HTTP on port 80 for now; DJANGO_HTTPS=true turns on every HTTPS-only
# protection together once a certificate is attached, so they cannot be half enabled.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
# The ALB and the container check /health over plain HTTP with the task's address as Host: a redirect
# (which validates the host) would fail them.
SECURE_REDIRECT_EXEMPT = [r"^health/?$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env.bool("DJANGO_HSTS_PRELOAD", default=False)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not HTTPS:
    # Consciously off while the ALB has no certificate (see DJANGO_HTTPS above):
    # W004 HSTS, W008 SSL redirect, W012 secure session cookie, W016 secure CSRF cookie.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]
elif not SECURE_HSTS_PRELOAD:
    # W021: preloading commits the whole domain to HTTPS in browsers for months; the domain's owner opts in.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

STATIC_ROOT = BASE_DIR / "staticfiles"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed admin assets served by whitenoise from the app itself: no separate web server.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
