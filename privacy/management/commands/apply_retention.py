from django.conf import settings
from django.core.management.base import BaseCommand

from privacy.services import apply_retention


class Command(BaseCommand):
    help = (
        "Purge the customers deleted more than DELETED_CUSTOMERS_KEPT_DAYS ago and, when "
        "INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS is set, erase those with no sale and no change "
        "for that long. Prints what it did; --dry-run prints what it would do. Running it "
        "again does only what is left."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing.")

    def handle(self, *args, dry_run, **options):
        done = apply_retention(dry_run=dry_run)
        would = "Would purge" if dry_run else "Purged"
        self.stdout.write(
            f"{would} {done.purged} customers deleted more than "
            f"{settings.DELETED_CUSTOMERS_KEPT_DAYS} days ago."
        )
        days = settings.INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS
        if days is None:
            self.stdout.write(
                "Inactive customers are not erased (INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS is unset)."
            )
        else:
            self.stdout.write(
                f"{'Would erase' if dry_run else 'Erased'} {done.erased} customers with no sale "
                f"and no change for {days} days."
            )
        for reason in done.kept:
            self.stdout.write(f"Kept {reason}")
