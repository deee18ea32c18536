# syntax=docker/dockerfile:1
# The web image: gunicorn serving the Django app as a non-root user, on the task's loopback only: the task's
# proxy (nginx, deploy/proxy/) receives the load balancer's traffic on 8080 and passes it complete requests.
# Build: docker build --build-arg RELEASE_VERSION=$(git rev-parse HEAD) -t text-messaging .

# The Python that CI tests (pyproject.toml requires 3.11).
ARG PYTHON_IMAGE=python:3.11-slim-trixie

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements/base.txt requirements/production.txt requirements/constraints.txt /tmp/requirements/
# production.txt reads constraints.txt, so every package, transitive ones too, is the tested version.
# Every dependency ships a manylinux wheel, so no compiler is needed; the cache mount keeps downloads
# between builds without putting them in a layer.
RUN --mount=type=cache,target=/root/.cache/pip \
    /opt/venv/bin/pip install --require-virtualenv -r /tmp/requirements/production.txt

FROM ${PYTHON_IMAGE} AS runtime
ARG RELEASE_VERSION=unknown
LABEL org.opencontainers.image.title="text-messaging" \
      org.opencontainers.image.revision="${RELEASE_VERSION}"
# A fixed uid/gid, so file ownership and the task definition's user check never depend on build order.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=project.settings.production \
    RELEASE_VERSION=${RELEASE_VERSION}
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# Code stays owned by root: the app user can read it but never change it.
COPY manage.py gunicorn.conf.py ./
COPY project project
COPY messaging messaging
# Production settings refuse to load without a secret key and host names: the throwaway values below
# exist for this one command only and are not kept in the image's environment.
RUN DJANGO_SECRET_KEY=collectstatic-build-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --no-input --verbosity 0

USER 10001:10001
# No EXPOSE: gunicorn binds 127.0.0.1:8000 (project.runtime.APP_PORT), reachable only from the task's proxy.
# The same command as the ECS container health check (project.runtime.HEALTH_CHECK_COMMAND).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "project.healthcheck"]
# gunicorn runs as PID 1 and handles SIGTERM itself: in-flight requests finish within its graceful timeout.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
