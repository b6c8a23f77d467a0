import logging

from django_tasks import task

from .services import renew_memberships

logger = logging.getLogger(__name__)


@task()
def renew_memberships_daily():
    """Renew the memberships whose period ended (``run_schedules``, every day)."""
    renewed, expired = renew_memberships()
    logger.info("Memberships: renewed %s, marked %s expired", renewed, expired)
