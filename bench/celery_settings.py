"""Settings of the notifications measurement's worker and producer: the bench's, and no remote
control, so the worker leaves no pidbox keys behind in the shared Redis (only its own queue,
which the bench deletes). The queue, broker and eagerness come from the environment the bench
gives both processes (`CELERY_QUEUE`, `REDIS_URL`, `CELERY_TASK_ALWAYS_EAGER=false`).
"""

from bench.settings import *  # noqa: F403

CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
