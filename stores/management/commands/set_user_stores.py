from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backoffice.audit import Actor

from ...models import Store
from ...services import staff_stores_set


class Command(BaseCommand):
    help = (
        "Set the stores a user holds (all of them: stores not named are taken away). "
        "An audit event records the change."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("codes", nargs="+", metavar="CODE", help="The stores' codes.")

    def handle(self, *args, username, codes, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is named {username}.")
        stores = {store.code.lower(): store for store in Store.objects.all()}
        unknown = [code for code in codes if code.lower() not in stores]
        if unknown:
            raise CommandError(f"No store has the code {', '.join(unknown)}.")
        held = {stores[code.lower()] for code in codes}
        changed = staff_stores_set(user=user, stores=held, actor=Actor("manage.py set_user_stores"))
        named = ", ".join(sorted(store.code for store in held))
        self.stdout.write(f"{user} holds {named}." if changed else f"{user} held {named} already.")
