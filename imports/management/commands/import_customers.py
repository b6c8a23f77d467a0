import csv
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backoffice.tables import neutralise
from imports.checking import MATCH_KEYS, RowChecker
from imports.reading import ENCODINGS, FileProblem, open_table
from imports.services import BATCH_SIZE, write_batch

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import customers from a CSV, .xlsx, .xls or .ods file (our export's columns). Every "
        "row is checked first, by the customer form's rules; a file with any error writes "
        "nothing and lists the errors. Then rows are written a batch at a time, each batch "
        "all or nothing: Ctrl+C keeps whole batches and says which rows were written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--match", choices=list(MATCH_KEYS), default="email",
            help="How a row finds an existing customer (default: email, any case).",
        )  # fmt: skip
        parser.add_argument(
            "--update", action="store_true", help="Update matched customers (else skip them)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--encoding", choices=list(ENCODINGS), default="utf-8")
        parser.add_argument(
            "--date-format", default=None, help="How dates are written, e.g. %%m/%%d/%%Y."
        )
        parser.add_argument(
            "--errors", type=Path, help="Write the rows with errors, and an errors column, here."
        )

    def handle(self, *args, file, match, update, dry_run, encoding, date_format, errors, **opts):
        options = {"match": match, "update": update, "date_format": date_format}
        counts, failed = Counter(), []
        for row in self.checked_rows(file, encoding, options, "Checking"):
            counts[row.action] += 1
            if row.errors:
                failed.append(row)
        summary = (
            f"{counts['create']} to create, {counts['update']} to update, "
            f"{counts['skip']} to skip, {counts['error']} with errors."
        )
        if failed:
            for row in failed[:SHOWN_ERRORS]:
                for error in row.errors:
                    column = f", {error.column}" if error.column else ""
                    self.stderr.write(
                        f"row {error.line}{column}: {error.message} ({error.value!r})"
                    )
            if errors:
                self.write_error_report(file, encoding, failed, errors)
            raise CommandError(f"Nothing was imported: {summary}")
        if dry_run:
            self.stdout.write(f"Dry run: {summary}")
            return
        self.write(file, encoding, options)

    def checked_rows(self, file, encoding, options, label):
        try:
            table = open_table(file, name=file.name, encoding=encoding)
            checker = RowChecker(table.header, **options)
            rows = tqdm(table.rows, desc=label, unit=" rows", disable=None, file=self.stderr)
            for line, cells in rows:
                yield checker.check(line, cells)
        except (FileProblem, OSError) as problem:
            raise CommandError(str(problem)) from None

    def write(self, file, encoding, options):
        created = updated = skipped = 0
        batch, last_written = [], None
        try:
            for row in self.checked_rows(file, encoding, options, "Importing"):
                if row.errors:  # changed since the check (another import, an edit)
                    raise CommandError(
                        f"Row {row.line} no longer passes ({row.errors[0].message}); rows up to "
                        f"{last_written or 'none'} were written."
                    )
                skipped += row.action == "skip"
                batch.append(row)
                if len(batch) == BATCH_SIZE:
                    created, updated = self.flush(batch, file, created, updated)
                    last_written, batch = batch[-1].line, []
            created, updated = self.flush(batch, file, created, updated)
        except KeyboardInterrupt:
            raise CommandError(
                f"Stopped: rows up to {last_written or 'none'} were written ({created} created, "
                f"{updated} updated); run the same file again with --match to go on."
            ) from None
        self.stdout.write(f"Imported: {created} created, {updated} updated, {skipped} skipped.")

    def flush(self, batch, file, created, updated):
        if not batch:
            return created, updated
        made, changed = write_batch(batch, user=None, source=file.name)
        return created + made, updated + changed

    def write_error_report(self, file, encoding, failed, path):
        """The rows with errors as they were in the file, with an ``errors`` column."""
        by_line = {row.line: row for row in failed}
        table = open_table(file, name=file.name, encoding=encoding)
        with path.open("w", newline="", encoding="utf-8") as report:
            writer = csv.writer(report)
            writer.writerow(["row", *table.header, "errors"])
            for line, cells in table.rows:
                if line in by_line:
                    messages = "; ".join(
                        f"{error.column}: {error.message}" if error.column else error.message
                        for error in by_line[line].errors
                    )
                    writer.writerow([line, *map(neutralise, cells), neutralise(messages)])
