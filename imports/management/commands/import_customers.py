import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_countries import countries
from tqdm import tqdm

from backoffice.audit import Actor
from imports import pipeline
from imports.checking import MATCH_KEYS
from imports.reading import ENCODINGS, FileProblem

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
            "--phone-region", type=str.upper, default=settings.PHONENUMBER_DEFAULT_REGION,
            help="The country (e.g. US) of phone numbers without + and a country code.",
        )  # fmt: skip
        parser.add_argument(
            "--errors", type=Path, help="Write the rows with errors, and an errors column, here."
        )

    def handle(
        self, *args, file, match, update, dry_run, encoding, date_format, phone_region, errors,
        **opts,
    ):  # fmt: skip
        if phone_region and phone_region not in countries:
            raise CommandError(f"--phone-region: {phone_region} is not a country code, e.g. US.")
        options = pipeline.Options(
            match=match, update=update, encoding=encoding, date_format=date_format,
            phone_region=phone_region, max_bytes=None,  # the upload limit is the web's
        )  # fmt: skip
        with tempfile.TemporaryDirectory() as scratch:
            kept = None if dry_run else Path(scratch) / "checked.gz"
            self.run(file, options, dry_run=dry_run, errors=errors, kept=kept)

    def run(self, file, options, *, dry_run, errors, kept):
        try:
            with self.progress_bar("Checking") as bar:
                findings = pipeline.dry_run(
                    file, file.name, options, progress=bar.moved_to, keep=kept, report=errors
                )
        except (FileProblem, OSError) as problem:
            raise CommandError(str(problem)) from None
        counts = findings.counts
        summary = (
            f"{counts['create']} to create, {counts['update']} to update, "
            f"{counts['skip']} to skip, {counts['error']} with errors."
        )
        if counts["error"]:
            for error in findings.errors[:SHOWN_ERRORS]:
                column = f", {error.column}" if error.column else ""
                self.stderr.write(f"row {error.line}{column}: {error.message} ({error.value!r})")
            raise CommandError(f"Nothing was imported: {summary}")
        if dry_run:
            self.stdout.write(f"Dry run: {summary}")
            return
        latest = pipeline.Written()

        def advanced(written):
            nonlocal latest
            latest = written
            bar.moved_to(written.created + written.updated + written.skipped)

        try:
            with self.progress_bar("Importing") as bar:
                written = pipeline.write(
                    file,
                    file.name,
                    options,
                    actor=Actor("manage.py import_customers"),
                    progress=advanced,
                    kept=kept,
                )
        except pipeline.ChangedSinceChecked as changed:
            raise CommandError(str(changed)) from None
        except KeyboardInterrupt:
            raise CommandError(
                f"Stopped: rows up to {latest.through or 'none'} were written ({latest.created} "
                f"created, {latest.updated} updated); run the same file again with the same "
                "--match to go on."
            ) from None
        self.stdout.write(
            f"Imported: {written.created} created, {written.updated} updated, "
            f"{written.skipped} skipped."
        )

    def progress_bar(self, label):
        return Progress(desc=label, unit=" rows", disable=None, file=self.stderr)


class Progress(tqdm):
    def moved_to(self, done):
        self.update(done - self.n)
