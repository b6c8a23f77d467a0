from django.core.management.base import BaseCommand

from memberships.services import renew_memberships


class Command(BaseCommand):
    help = (
        "Renew the auto-renewing memberships whose period has ended (the allowance resets to "
        "the plan's, unused allowance does not carry over, the expiry date moves on one "
        "period) and mark the others expired. Safe to run every day, or twice."
    )

    def handle(self, *args, **options):
        renewed, expired = renew_memberships()
        self.stdout.write(f"Renewed {renewed} memberships, marked {expired} expired.")
