from django.core.management.base import BaseCommand

from jobs.schedules import SCHEDULES, run_due_schedules


class Command(BaseCommand):
    help = (
        "Queue the daily jobs that are due (membership renewal, expired files, retention). "
        "Run it every minute from cron or the workers' supervisor, on any number of "
        "machines: each day's run is queued once."
    )

    def handle(self, *args, **options):
        queued = run_due_schedules()
        for schedule in SCHEDULES:
            state = "queued now" if schedule in queued else "already queued for its day"
            self.stdout.write(f"{schedule.name} (daily at {schedule.at:%H:%M}): {state}")
