from django.core.management.base import BaseCommand, CommandError

from backoffice.audit import Actor
from customers.models import Customer
from loyalty.models import STAFF_REASONS
from loyalty.services import LoyaltyError, loyalty_adjust


class Command(BaseCommand):
    help = (
        "Add (or, with a negative number, take off) loyalty points for a customer, with a "
        "reason; prints the new balance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, help="The customer's email address or ID.")
        parser.add_argument(
            "--points", type=int, required=True, help="Points to add; negative to take off."
        )
        parser.add_argument(
            "--reason",
            required=True,
            help=f"One of: {', '.join(STAFF_REASONS)}.",
        )
        parser.add_argument(
            "--note", default="", help="Required for the reasons correction and other."
        )

    def handle(self, *args, customer, points, reason, note, **options):
        if reason not in STAFF_REASONS:
            raise CommandError(f"Unknown reason “{reason}”: use one of {', '.join(STAFF_REASONS)}.")
        if not points:
            raise CommandError("--points is 0: nothing to adjust.")
        found = self.find_customer(customer)
        account = getattr(found, "loyalty_account", None)
        if account is None or not account.enrolled:
            raise CommandError(f"{found} is not enrolled in the loyalty programme.")
        try:
            entry = loyalty_adjust(
                account=account,
                delta=points,
                reason=reason,
                note=note,
                actor=Actor("manage.py adjust_loyalty"),
            )
        except LoyaltyError as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(str(entry.balance_after))

    def find_customer(self, email_or_id):
        customers = Customer.objects.select_related("loyalty_account")
        if email_or_id.isascii() and email_or_id.isdigit():
            found = customers.filter(pk=int(email_or_id)).first()
        else:
            found = customers.with_email(email_or_id).first()
        if found is None:
            raise CommandError(f"No customer has the email address or ID “{email_or_id}”.")
        return found
