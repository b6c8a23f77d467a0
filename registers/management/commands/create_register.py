from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from backoffice.audit import Actor
from stores.models import Store

from ...services import register_create


class Command(BaseCommand):
    help = "Create a register of a store and print its API key, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="As the store calls the till.")
        parser.add_argument("--store", required=True, metavar="CODE", help="The store's code.")

    def handle(self, *args, name, store, **options):
        name = name.strip()
        if not name:
            raise CommandError("Give the register a name.")
        found = Store.objects.filter(code__iexact=store).first()
        if found is None:
            raise CommandError(f"No store has the code {store}.")
        try:
            register, key = register_create(
                name=name, store=found, actor=Actor("manage.py create_register")
            )
        except IntegrityError:
            raise CommandError(f"{found} already has a register named {name}.") from None
        self.stdout.write(f"{register} is created. Its API key, shown this once:")
        self.stdout.write(key)
