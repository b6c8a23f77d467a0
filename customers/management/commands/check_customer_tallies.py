from django.core.management.base import BaseCommand, CommandError

from customers import tallies

SHOWN_DIFFERENCES = 20


class Command(BaseCommand):
    help = (
        "Prove the customer tallies (the list's tiles and counts) against the customers: "
        "exits 1 listing the first differences. --repair recounts them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Recount every tally from the customers."
        )

    def handle(self, *args, repair, **options):
        if repair:
            total = tallies.rebuild()
            self.stdout.write(f"Recounted: {total} live customers.")
            return
        differences = tallies.differences()
        if not differences:
            self.stdout.write("Tallies match the customers.")
            return
        for key, (tallied, counted) in sorted(differences.items())[:SHOWN_DIFFERENCES]:
            store_id, customer_type, enrolled, month = key
            self.stderr.write(
                f"store {store_id or 'chain'}, {customer_type}, "
                f"{'enrolled' if enrolled else 'not enrolled'}, {month:%Y-%m}: "
                f"tallied {tallied}, counted {counted}"
            )
        count = len(differences)
        raise CommandError(
            f"{count} {'tally differs' if count == 1 else 'tallies differ'} from the customers; "
            "run check_customer_tallies --repair."
        )
