from django.core.management.base import BaseCommand, CommandError

from backoffice.audit import Actor
from loyalty.services import card_batch_generate

MAX_COUNT = 100_000


class Command(BaseCommand):
    help = (
        "Generate a batch of loyalty card codes and print them, one per line (for a card "
        "printer's own software, say); the batch's sheet and PDF are on the Loyalty cards page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many codes.")

    def handle(self, *args, count, **options):
        if not 1 <= count <= MAX_COUNT:
            raise CommandError(f"--count must be between 1 and {MAX_COUNT:,}.")
        batch = card_batch_generate(size=count, actor=Actor("manage.py generate_customer_codes"))
        for code in batch.cards.order_by("pk").values_list("code", flat=True).iterator():
            self.stdout.write(code)
