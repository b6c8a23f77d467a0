import codecs
import contextlib
import io
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.exports import ExportFormat, write_export_file
from customers.models import Customer
from customers.tables import CustomerTable
from stores.models import Store


class Command(BaseCommand):
    help = (
        "Write customers as CSV, in the same format as the list's Export button: to stdout, "
        "or to --output FILE, which appears only once complete. On PostgreSQL the database "
        "writes it (COPY)."
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
        if output:
            self.write_file(Path(output), queryset, total)
            self.stderr.write(f"Wrote {total} customers to {output}.")
        else:
            self.write_stdout(queryset, total)

    def write_stdout(self, queryset, total):
        try:
            self.show_progress(self.written(queryset, TextOut(self.stdout)), total)
            self.stdout.flush()
        except BrokenPipeError:
            # The reader (`| head`) has all it wanted. Point stdout at /dev/null so that
            # Python's final flush does not complain either (Python docs, "Note on SIGPIPE").
            with contextlib.suppress(io.UnsupportedOperation):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.stdout.fileno())

    def write_file(self, path, queryset, total):
        """Write next to the target, then rename: an interrupted export leaves no half file."""
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "wb") as file:
                self.show_progress(self.written(queryset, file), total)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    def written(self, queryset, out):
        return write_export_file(ExportFormat.CSV, CustomerTable, queryset, out)

    def show_progress(self, rows_written, total):
        """Write the file, drawing a progress bar on stderr when it is a terminal."""
        show = self.stderr.isatty()
        shown = 0
        for number in rows_written:
            if show and (number - shown >= 500 or number == total):
                done = int(30 * number / total)
                bar = "#" * done + "-" * (30 - done)
                self.stderr.write(f"\r[{bar}] {number}/{total}", ending="")
                shown = number
        if show:
            self.stderr.write("")


class TextOut:
    """The command's stdout as the binary file the export writes to (UTF-8, a character
    possibly split between two blocks)."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def write(self, data):
        self.stdout.write(self.decoder.decode(data), ending="")
