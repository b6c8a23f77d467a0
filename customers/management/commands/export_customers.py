import contextlib
import io
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers import exports
from customers.models import Customer
from stores.models import Store


class Command(BaseCommand):
    help = (
        "Write customers as CSV, in the same format as the list's Export button: to stdout, "
        "or to --output FILE, which appears only once complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE", help="Write to FILE instead of stdout.")
        parser.add_argument(
            "--type", dest="customer_type", choices=Customer.Type.values, help="Only this type."
        )
        parser.add_argument("--store", metavar="CODE", help="Only customers of this store.")
        parser.add_argument(
            "--include-deleted", action="store_true", help="Also customers in Deleted."
        )

    def handle(self, *args, output, customer_type, store, include_deleted, **options):
        queryset = Customer.all_objects.all() if include_deleted else Customer.objects.all()
        if customer_type:
            queryset = queryset.filter(customer_type=customer_type)
        if store:
            if not Store.objects.filter(code=store).exists():
                raise CommandError(f"No store has the code {store!r}.")
            queryset = queryset.filter(stores__code=store)
        if output and not Path(output).parent.is_dir():
            raise CommandError(f"The folder {Path(output).parent} does not exist.")
        total = queryset.count()
        lines = self.with_progress(exports.csv_lines(queryset), total)
        if output:
            self.write_file(Path(output), lines)
            self.stderr.write(f"Wrote {total} customers to {output}.")
        else:
            self.write_stdout(lines)

    def write_stdout(self, lines):
        try:
            for line in lines:
                self.stdout.write(line, ending="")
            self.stdout.flush()
        except BrokenPipeError:
            # The reader (`| head`) has all it wanted. Point stdout at /dev/null so that
            # Python's final flush does not complain either (Python docs, "Note on SIGPIPE").
            with contextlib.suppress(io.UnsupportedOperation):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.stdout.fileno())

    def write_file(self, path, lines):
        """Write next to the target, then rename: an interrupted export leaves no half file."""
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
                file.writelines(lines)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    def with_progress(self, lines, total):
        """Pass the lines through, drawing a progress bar on stderr when it is a terminal."""
        show = self.stderr.isatty()
        for number, line in enumerate(lines):
            yield line
            if show and number and (number % 500 == 0 or number == total):
                done = int(30 * number / total)
                bar = "#" * done + "-" * (30 - done)
                self.stderr.write(f"\r[{bar}] {number}/{total}", ending="")
        if show:
            self.stderr.write("")
