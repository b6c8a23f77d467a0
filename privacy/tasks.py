"""Retention as a daily job: ``apply_retention`` runs at night and queues its next run, and
``migrate`` queues the first (issue 25 brings schedules for every periodic job)."""

import datetime
import logging

from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .services import apply_retention

logger = logging.getLogger(__name__)
RUN_AT = datetime.time(3, 0)  # local time: the quietest hour of a store's day


@task()
def apply_retention_daily():
    done = apply_retention()
    logger.info(
        "Retention: purged %s, erased %s, kept %s", done.purged, done.erased, len(done.kept)
    )
    schedule_retention()


def next_run(now=None):
    """The next ``RUN_AT``, local time, after ``now``."""
    now = timezone.localtime(now)
    run = now.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def schedule_retention(**kwargs):
    """Queue the next run, unless one is queued already or the job backend cannot wait
    (tests run jobs at once)."""
    backend = task_backends["default"]
    if not backend.supports_defer:
        return
    path = apply_retention_daily.module_path
    if (
        isinstance(backend, DatabaseBackend)
        and DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).exists()
    ):
        return
    apply_retention_daily.using(run_after=next_run()).enqueue()
