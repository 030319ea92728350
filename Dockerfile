# Safeguard Board: one image for the web server, the Celery worker and Celery beat.
# docker-compose.yml runs it; see the README's "Production" section.
FROM python:3.11-slim-bookworm

# Production unless told otherwise: a missing DEBUG line in .env must not turn debugging on.
ENV DEBUG=false \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    WEB_CONCURRENCY=3

# PostgreSQL's client programs (15, as the database's image) for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir --disable-pip-version-check "uv>=0.9,<1"

WORKDIR /app

# Dependencies first, from the lock file only, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python \
    && rm -rf /root/.cache

COPY . .

# Static files are collected at build time. The key is a placeholder: it signs nothing here.
RUN SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-key-0000000000 \
    ALLOWED_HOSTS=localhost \
    SITE_URL=https://localhost \
    EMAIL_URL=consolemail:// \
    python manage.py collectstatic --noinput --verbosity 0

RUN groupadd --system board \
    && useradd --system --gid board --home-dir /app --no-create-home board \
    && mkdir -p /app/media \
    && chown board:board /app/media
USER board

EXPOSE 8000
# WEB_CONCURRENCY sets gunicorn's number of worker processes.
CMD ["gunicorn", "hscb.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
