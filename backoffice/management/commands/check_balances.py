from django.core.management.base import BaseCommand, CommandError

from backoffice import balances

SHOWN_DIFFERENCES = 20


class Command(BaseCommand):
    help = (
        "Prove that every account's balance (loyalty points, memberships, house accounts) "
        "equals the sum of its ledger entries: exits 1 listing the first differences."
    )

    def handle(self, *args, **options):
        failed = []
        for kind, check in balances.checks.items():
            checked, found = check(SHOWN_DIFFERENCES)
            if found:
                failed.append(kind)
                for difference in found:
                    self.stderr.write(f"{kind}: {difference}")
            else:
                accounts = f"{checked:,} account{'s' if checked != 1 else ''}"
                self.stdout.write(f"{kind}: {accounts}, every balance equals its entries.")
        if failed:
            raise CommandError(f"Balances differ from their ledgers: {', '.join(failed)}.")
