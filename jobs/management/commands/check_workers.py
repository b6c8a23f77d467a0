from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jobs.models import Worker

SILENT_FOR = timedelta(minutes=5)


class Command(BaseCommand):
    help = (
        "For monitoring: exit 1 when no worker has been seen for 5 minutes (no background "
        "job would run), 0 otherwise."
    )

    def handle(self, *args, **options):
        latest = Worker.objects.order_by("-seen_at").first()
        if latest is None or timezone.now() - latest.seen_at > SILENT_FOR:
            seen = f"last seen {latest.seen_at:%Y-%m-%d %H:%M:%S %Z}" if latest else "never seen"
            raise CommandError(f"No worker has been seen for 5 minutes ({seen}).", returncode=1)
        alive = Worker.objects.filter(seen_at__gte=timezone.now() - SILENT_FOR).count()
        self.stdout.write(f"{alive} worker(s) seen in the last 5 minutes.")
