"""The Celery app `config` (`celery -A config worker`, `celery -A config beat`)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(task=None, **kwargs):
    """Database connections live as in a web request (CONN_MAX_AGE, CONN_HEALTH_CHECKS): Celery's
    Django fixup would close them around every task (CELERY_DB_REUSE_MAX is set so it does not),
    and each task would pay for a new PostgreSQL backend."""
    if task is not None and not getattr(task.request, "is_eager", False):
        from django.db import close_old_connections as close

        close()
