from django.core.management.base import BaseCommand, CommandError

from backoffice.audit import Actor

from ...models import Register
from ...services import register_deactivate


class Command(BaseCommand):
    help = "Deactivate a register: its API key is refused from now on."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--store", required=True, metavar="CODE", help="The store's code.")

    def handle(self, *args, name, store, **options):
        register = (
            Register.objects.select_related("store")
            .filter(name__iexact=name.strip(), store__code__iexact=store)
            .first()
        )
        if register is None:
            raise CommandError(f"No register named {name} at the store {store}.")
        if register_deactivate(register=register, actor=Actor("manage.py deactivate_register")):
            self.stdout.write(f"{register} is deactivated: its key is refused.")
        else:
            self.stdout.write(f"{register} was already deactivated.")
