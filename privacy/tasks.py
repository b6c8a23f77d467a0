"""Retention as a daily job, queued by ``run_schedules`` (``jobs.schedules``)."""

import logging

from django_tasks import task

from .services import apply_retention

logger = logging.getLogger(__name__)


@task()
def apply_retention_daily():
    done = apply_retention()
    logger.info(
        "Retention: purged %s, erased %s, kept %s", done.purged, done.erased, len(done.kept)
    )
