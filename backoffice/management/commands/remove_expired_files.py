from django.core.management.base import BaseCommand

from backoffice import expiry


class Command(BaseCommand):
    help = (
        "Remove the files of background jobs (exports, uploaded imports) older than "
        "JOB_FILES_KEPT_FOR (24 hours). New jobs do this too; run it from cron where "
        "jobs are rare."
    )

    def handle(self, *args, **options):
        for kind, remover in expiry.removers.items():
            removed = remover()
            self.stdout.write(f"{kind}: removed {removed} file{'s' if removed != 1 else ''}.")
