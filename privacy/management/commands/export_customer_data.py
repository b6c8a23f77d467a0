from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.audit import Actor
from privacy.services import customer_by_email_or_id, customer_data_request


class Command(BaseCommand):
    help = (
        "Answer a data request: write everything held on one customer (a JSON document and "
        "a CSV per part) to a zip file. An audit event records it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, help="The customer's email or id.")
        parser.add_argument("--output", required=True, type=Path, help="The zip file to write.")

    def handle(self, *args, customer, output, **options):
        try:
            found = customer_by_email_or_id(customer)
        except LookupError as problem:
            raise CommandError(str(problem)) from None
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("wb") as out:
                customer_data_request(
                    customer=found, actor=Actor("manage.py export_customer_data"), out=out
                )
            partial.replace(output)  # whole, or not there: never half a file
        except OSError as problem:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {problem.strerror}.") from None
        self.stdout.write(f"Wrote everything held on customer #{found.pk} to {output}.")
