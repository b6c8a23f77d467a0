"""Daily work, in one place. ``manage.py run_schedules``, run every minute by cron or by
the workers' supervisor, queues each schedule's task once a day, after its time, for the
workers to run."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun


@dataclass(frozen=True)
class Schedule:
    name: str
    task_path: str  # a django-tasks task taking no arguments
    at: datetime.time  # local time: it is due once a day from then

    def period(self, now):
        """The day whose run is due at ``now``: today once ``at`` has passed, else the day
        before."""
        local = timezone.localtime(now)
        day = local.date() if local.time() >= self.at else local.date() - datetime.timedelta(1)
        return day.isoformat()


SCHEDULES = (
    Schedule(
        "Renew memberships", "memberships.tasks.renew_memberships_daily", datetime.time(0, 15)
    ),
    Schedule("Remove expired files", "backoffice.tasks.remove_expired_files", datetime.time(2, 0)),
    Schedule("Apply retention", "privacy.tasks.apply_retention_daily", datetime.time(3, 0)),
    Schedule(
        "Remove old idempotency keys",
        "registers.tasks.remove_old_idempotent_answers_daily",
        datetime.time(2, 30),
    ),
)


def run_due_schedules(now=None, schedules=SCHEDULES):
    """Queue the task of each schedule not yet queued for its current period. Returns the
    schedules queued."""
    now = now or timezone.now()
    queued = []
    for schedule in schedules:
        period = schedule.period(now)
        ScheduledRun.objects.get_or_create(name=schedule.name)
        claimed = ScheduledRun.objects.filter(name=schedule.name).exclude(period=period)
        if claimed.update(period=period, queued_at=now):
            import_string(schedule.task_path).enqueue()
            queued.append(schedule)
    return queued
