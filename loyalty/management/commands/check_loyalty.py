import sys

from django.core.management.base import BaseCommand, CommandError

from loyalty import invariants

SHOWN_DIFFERENCES = 20


class Command(BaseCommand):
    help = (
        "Prove every loyalty balance equals the sum of its ledger entries (and the version "
        "their count, and the customer list's copy the balance): exits 1 listing the first "
        "differences."
    )

    def handle(self, *args, **options):
        checked, found = invariants.differences(
            limit=SHOWN_DIFFERENCES, progress=sys.stderr.isatty()
        )
        if not found:
            self.stdout.write(
                f"Checked {checked:,} loyalty accounts: every balance equals the sum of its "
                "ledger entries."
            )
            return
        for difference in found:
            self.stderr.write(str(difference))
        raise CommandError(
            f"{len(found)}{'+' if len(found) == SHOWN_DIFFERENCES else ''} loyalty "
            f"account{'s' if len(found) != 1 else ''} differ from their ledger (first "
            f"{SHOWN_DIFFERENCES} shown)."
        )
