# The service image: gunicorn for the API, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/app/media
WORKDIR /app

# The exact versions of requirements.lock (`make lock` writes it), then the project without deps.
COPY requirements.lock pyproject.toml ./
COPY config ./config
COPY common ./common
COPY casework ./casework
COPY workflows ./workflows
COPY notifications ./notifications
COPY supervision ./supervision
COPY sampledata ./sampledata
COPY web ./web
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir -r requirements.lock \
    && pip install --no-cache-dir --no-deps . \
    && DJANGO_SETTINGS_MODULE=config.settings.build python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 app \
    && mkdir -p /app/media && chown app /app/media
# Uploaded attachments: a volume, so they outlive the container (docker-compose.yml mounts one).
VOLUME /app/media
USER app

EXPOSE 8000
# The access log carries the path, never the query string: `?search=` may hold a person's name.
# Gunicorn refuses on its own, before Django and as HTML, a request line over 4094 bytes (414)
# and over 100 header fields or one over 8190 bytes (431): docs/operations.md, "Behind a proxy";
# the API schema documents both.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--limit-request-line", "4094", "--limit-request-fields", "100", \
     "--limit-request-field_size", "8190", \
     "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)ss"]
