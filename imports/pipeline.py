"""An import from end to end, the same from the shell and from a background job: the dry
run (every row checked, nothing written) and the writing (the file read and checked again,
then written a batch at a time)."""

from collections import Counter
from dataclasses import dataclass, field

from backoffice.tables import neutralise

from .checking import RowChecker
from .reading import open_table
from .services import BATCH_SIZE, write_batch

KEPT_ERRORS = 200  # the errors a dry run keeps to show; the report has them all
KEPT_SAMPLES = 5  # the first rows to create, to update and to skip, to show
CHECK_BATCH_SIZE = 500  # rows checked with one lookup of the customers they name


@dataclass
class Options:
    match: str = "email"
    update: bool = False
    encoding: str = "utf-8"
    date_format: str | None = None
    mapping: dict = field(default_factory=dict)


@dataclass
class Findings:
    counts: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)  # the first KEPT_ERRORS RowErrors
    error_count: int = 0
    unknown_columns: list = field(default_factory=list)
    samples: dict = field(default_factory=dict)  # action -> [[line, name, email], ...]

    @property
    def rows(self):
        return sum(self.counts.values())


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    through: int | None = None  # the file's last row written
    stopped: bool = False


class ChangedSinceChecked(Exception):
    """A row that passed the dry run fails when written: the data changed meanwhile."""

    def __init__(self, row, written):
        super().__init__(
            f"Row {row.line} no longer passes ({row.errors[0].message}); rows up to "
            f"{written.through or 'none'} were written."
        )
        self.written = written


def checked_rows(path, name, options, findings=None):
    table = open_table(path, name=name, encoding=options.encoding)
    checker = RowChecker(
        table.header, match=options.match, update=options.update,
        mapping=options.mapping, date_format=options.date_format,
    )  # fmt: skip
    if findings is not None:
        findings.unknown_columns = checker.unknown_columns
    batch = []
    for numbered in table.rows:
        batch.append(numbered)
        if len(batch) == CHECK_BATCH_SIZE:
            yield from checker.check_batch(batch)
            batch = []
    yield from checker.check_batch(batch)


def dry_run(path, name, options, *, progress=None):
    """Check every row; ``progress(rows checked)`` is called every BATCH_SIZE rows."""
    findings = Findings()
    for number, row in enumerate(checked_rows(path, name, options, findings), 1):
        findings.counts[row.action] += 1
        findings.error_count += len(row.errors)
        kept = findings.samples.setdefault(row.action, [])
        if row.action != "error" and len(kept) < KEPT_SAMPLES:
            name = f"{row.values.get('first_name', '')} {row.values.get('last_name', '')}"
            kept.append([row.line, name.strip(), row.values.get("email", "")])
        findings.errors.extend(row.errors[: KEPT_ERRORS - len(findings.errors)])
        if progress and number % BATCH_SIZE == 0:
            progress(number)
    return findings


def write(path, name, options, *, user, progress=None, should_stop=None):
    """Check the rows again and write them a batch at a time, each batch all or nothing.
    ``should_stop()`` is asked between batches; ``progress(written)`` told after each."""
    written, batch = Written(), []
    for row in checked_rows(path, name, options):
        if row.errors:
            raise ChangedSinceChecked(row, written)
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            flush(batch, name, user, written, progress)
            batch = []
            if should_stop and should_stop():
                written.stopped = True
                return written
    flush(batch, name, user, written, progress)
    return written


def flush(batch, name, user, written, progress):
    if not batch:
        return
    created, updated = write_batch(batch, user=user, source=name)
    written.created += created
    written.updated += updated
    written.skipped += sum(row.action == "skip" for row in batch)
    written.through = batch[-1].line
    if progress:
        progress(written)


def error_report(path, name, options):
    """The rows with errors as they are in the file, after a "row" column and before an
    "errors" one, header first: to fix in a spreadsheet and upload again. Cells a
    spreadsheet would run as formulas are neutralised."""
    failed = {row.line: row for row in checked_rows(path, name, options) if row.errors}
    table = open_table(path, name=name, encoding=options.encoding)
    yield ["row", *table.header, "errors"]
    for line, cells in table.rows:
        if line in failed:
            errors = "; ".join(
                f"{error.column}: {error.message}" if error.column else error.message
                for error in failed[line].errors
            )
            yield [line, *map(neutralise, cells), neutralise(errors)]
