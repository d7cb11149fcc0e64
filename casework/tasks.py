from celery import shared_task
from django.conf import settings
from django.utils import timezone

from casework import services


@shared_task(ignore_result=True)
def purge_idempotency_records() -> int:
    """Idempotent: deleting what is already gone deletes nothing."""
    return services.idempotency_purge(older_than=timezone.now() - settings.IDEMPOTENCY_KEY_TTL)
