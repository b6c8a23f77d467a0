from django.core.management.base import BaseCommand, CommandError

from backoffice.audit import Actor
from privacy.services import ErasureRefused, customer_by_email_or_id, customer_erase


class Command(BaseCommand):
    help = (
        "Erase one customer's personal data for good, without a prompt (scripts run it): "
        "their balances, sales and totals are kept. Refused while a house account of theirs "
        "owes or holds money."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, help="The customer's email or id.")

    def handle(self, *args, customer, **options):
        try:
            found = customer_by_email_or_id(customer)
            erased = customer_erase(customer=found, actor=Actor("manage.py erase_customer"))
        except (LookupError, ErasureRefused) as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(f"Erased customer #{erased.pk}: now “{erased}”.")
