"""An import from end to end, the same from the shell and from a background job: the dry
run (every row checked, nothing written) and the writing, a batch at a time.

The dry run may keep the rows as it checked them (``keep``: a gzipped file of JSON lines).
Writing then takes the new customers from there, once one lookup per batch shows that
their match keys and emails are still no one's, instead of running the customer form on
every row again, which is most of an import's time. Updates, and any batch where
something changed since, are checked again.
"""

import contextlib
import csv
import gzip
import json
import os
import tempfile
import uuid
from collections import Counter
from dataclasses import astuple, dataclass, field
from itertools import islice
from pathlib import Path

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from backoffice.database import refresh_statistics
from backoffice.tables import neutralise
from customers.models import Customer

from .checking import CheckedRow, FirstSeen, ImportRowForm, RowChecker, RowError
from .reading import MAX_BYTES, open_table
from .services import BATCH_SIZE, write_batch

KEPT_ERRORS = 200  # the errors a dry run keeps to show; the report has them all
KEPT_SAMPLES = 5  # the first rows to create, to update and to skip, to show
CHECK_BATCH_SIZE = 500  # rows checked with one lookup of the customers they name
# A new customer's fields as the dry run keeps them: those the customer form checked.
KEPT_FIELDS = ImportRowForm._meta.fields
# What else writing a new customer takes from its checked row.
KEPT_VALUES = ("stores", "loyalty_enrolled", "loyalty_balance")


@dataclass
class Options:
    match: str = "email"
    update: bool = False
    encoding: str = "utf-8"
    date_format: str | None = None
    mapping: dict = field(default_factory=dict)
    phone_region: str | None = None  # where national phone numbers are from
    max_bytes: int | None = MAX_BYTES  # None: any size (the shell's files)
    store_ids: list | None = None  # the importing person's stores; None: every store


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
    analyzed_at: int = 0  # rows created when the planner's statistics were last refreshed


class ChangedSinceChecked(Exception):
    """A row that passed the dry run fails when written: the data changed meanwhile."""

    def __init__(self, row, written):
        super().__init__(
            f"Row {row.line} no longer passes ({row.errors[0].message}); rows up to "
            f"{written.through or 'none'} were written."
        )
        self.written = written


def batched(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def opened(path, name, options):
    """The file's table, and a checker for its rows with the import's options."""
    table = open_table(path, name=name, encoding=options.encoding, max_bytes=options.max_bytes)
    checker = RowChecker(
        table.header, match=options.match, update=options.update, mapping=options.mapping,
        date_format=options.date_format, phone_region=options.phone_region,
        store_ids=options.store_ids,
    )  # fmt: skip
    return table, checker


def checked(rows, checker, *, repeats=True):
    for batch in batched(rows, CHECK_BATCH_SIZE):
        yield from checker.check_batch(batch, repeats=repeats)


def dry_run(path, name, options, *, progress=None, keep=None, report=None):
    """Check every row; ``progress(rows checked)`` is called every BATCH_SIZE rows. With
    ``keep`` (a path), the rows as checked are kept there for ``write``; with ``report``
    (a path), the rows with errors are written there as CSV (``ErrorReport``). The rows
    are checked as one part (``check_part``), then ``finish``ed."""
    with tempfile.TemporaryDirectory() as scratch:
        part = Path(scratch) / "part.gz"
        checker = check_part(path, name, options, part, progress=progress)
        findings = finish([part], checker.header, keep=keep, report=report)
    findings.unknown_columns = checker.unknown_columns
    return findings


def check_part(path, name, options, part, *, rows=None, progress=None):
    """Check the file's rows, or the slice ``rows`` of them (a ``range`` of their order in
    the file), on their own: each is written to the file ``part`` as checked, with its
    errors, what a sample of it shows and what no later row may repeat (``claims``), which
    ``finish`` checks over the whole file. ``progress(rows checked)`` is called every
    BATCH_SIZE rows, and may stop the check by raising ``Stop``. Returns the checker."""
    table, checker = opened(path, name, options)
    numbered = table.rows if rows is None else islice(table.rows, rows.start, rows.stop)
    number = 0
    # Written aside, then put in place whole: a worker taking the part over from one that
    # only seemed dead may write it at the same time.
    writing = Path(part).with_name(f"{Path(part).name}.{uuid.uuid4().hex}")
    try:
        with gzip.open(writing, "wt", encoding="utf-8", compresslevel=1) as out:
            for number, row in enumerate(checked(numbered, checker, repeats=False), 1):
                out.write(part_line(row, options.match))
                if progress and number % BATCH_SIZE == 0:
                    progress(number)
        if progress and number % BATCH_SIZE:
            progress(number)
        os.replace(writing, part)
    finally:
        writing.unlink(missing_ok=True)
    return checker


def part_line(row, match):
    """A row as ``check_part`` writes it: as the dry run keeps it, and what ``finish``
    needs of it besides."""
    entry = kept_entry(row, match)
    entry["errors"] = [astuple(error) for error in row.errors]
    entry["claims"] = row.claims
    name = f"{row.values.get('first_name', '')} {row.values.get('last_name', '')}"
    entry["sample"] = [name.strip(), row.values.get("email", "")]
    return json.dumps(entry, cls=DjangoJSONEncoder) + "\n"


def finish(parts, header, *, keep=None, report=None, progress=None):
    """The dry run's findings from the files of its ``parts``, in the file's order, once
    all are checked: each row's errors, with the values it repeats from an earlier row
    of the whole file. With ``keep`` and ``report``, as ``dry_run``; ``progress(rows)``
    every BATCH_SIZE rows."""
    findings = Findings()
    seen = FirstSeen()
    with contextlib.ExitStack() as stack:
        kept = stack.enter_context(gzip.open(keep, "wt", encoding="utf-8")) if keep else None
        errors = stack.enter_context(ErrorReport(report, header)) if report else None
        for batch in batched(entries_of(parts), CHECK_BATCH_SIZE):
            by_line = {entry["line"]: entry for entry in batch}
            for error in seen.repeats([(entry["line"], entry["claims"]) for entry in batch]):
                by_line[error.line]["errors"].append(astuple(error))
            for entry in batch:
                tally(findings, entry, kept, errors)
            if progress and findings.rows % BATCH_SIZE == 0:
                progress(findings.rows)
    return findings


def entries_of(parts):
    for part in parts:
        with gzip.open(part, "rt", encoding="utf-8") as lines:
            yield from map(json.loads, lines)


def tally(findings, entry, kept, report):
    """Count a checked row in the findings, and keep it (and report it) as the dry run
    does."""
    errors = [RowError(*error) for error in entry.pop("errors")]
    entry.pop("claims")
    sample = entry.pop("sample")
    if errors:  # a new customer's fields are not kept for a row that cannot be written
        entry = {"line": entry["line"], "cells": entry["cells"], "action": "error"}
    action = entry["action"]
    findings.counts[action] += 1
    findings.error_count += len(errors)
    samples = findings.samples.setdefault(action, [])
    if action != "error" and len(samples) < KEPT_SAMPLES:
        samples.append([entry["line"], *sample])
    findings.errors.extend(errors[: KEPT_ERRORS - len(findings.errors)])
    if kept:
        kept.write(json.dumps(entry) + "\n")
    if report and errors:
        report.add(entry["line"], entry["cells"], errors)


class ErrorReport:
    """The rows with errors as they are in the file, after a "row" column and before an
    "errors" one, header first: to fix in a spreadsheet and upload again. Cells a
    spreadsheet would run as formulas are neutralised. Written as the dry run finds them
    (never by checking the file again), and only once a row has an error."""

    def __init__(self, path, header):
        self.path, self.header = Path(path), header
        self.path.unlink(missing_ok=True)  # an earlier check's
        self.file = self.writer = None

    def add(self, line, cells, row_errors):
        if self.writer is None:
            self.file = self.path.open("w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.file)
            self.writer.writerow(["row", *self.header, "errors"])
        errors = "; ".join(
            f"{error.column}: {error.message}" if error.column else error.message
            for error in row_errors
        )
        self.writer.writerow([line, *map(neutralise, cells), neutralise(errors)])

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.file:
            self.file.close()


def kept_entry(row, match):
    """A checked row as the dry run keeps it: its line and cells, what it would do, and a
    new customer's checked fields and values."""
    entry = {"line": row.line, "cells": row.cells, "action": row.action}
    if row.action == "create":
        customer = row.values["customer"]
        (serialized,) = serializers.serialize("python", [customer], fields=KEPT_FIELDS)
        entry |= {
            "key": row.values.get(match, ""),
            "fields": serialized["fields"],
            **{name: row.values[name] for name in KEPT_VALUES},
        }
    return entry


def rows_as_kept(path, name, options, kept, *, rows=None, leave_out_errors=False, after_line=0):
    """The rows the dry run kept (or the slice ``rows`` of them) after ``after_line``,
    ready to write: new customers as it checked them while nothing has taken their match
    keys or emails since, else checked again. With ``leave_out_errors``, the rows the dry
    run found errors in are left out."""
    _, checker = opened(path, name, options)
    with gzip.open(kept, "rt", encoding="utf-8") as lines:
        if rows is not None:
            lines = islice(lines, rows.start, rows.stop)
        entries = (entry for entry in map(json.loads, lines) if entry["line"] > after_line)
        if leave_out_errors:
            entries = (entry for entry in entries if entry["action"] != "error")
        for batch in batched(entries, CHECK_BATCH_SIZE):
            new = [entry for entry in batch if entry["action"] == "create"]
            keys = [entry["key"] for entry in new if entry["key"]]
            emails = [entry["fields"]["email"] for entry in new]
            if len(new) == len(batch) and not checker.finds_any(keys, emails):
                yield from map(as_checked, batch)
            else:
                yield from checker.check_batch([(entry["line"], entry["cells"]) for entry in batch])


def as_checked(entry):
    serialized = {"model": "customers.customer", "fields": entry["fields"]}
    (deserialized,) = serializers.deserialize("python", [serialized])
    values = {"customer": deserialized.object, **{name: entry[name] for name in KEPT_VALUES}}
    return CheckedRow(line=entry["line"], action="create", values=values, cells=entry["cells"])


class Stop(Exception):
    """Raised by a write's ``guard`` before a batch: that batch and the rest are not written."""


def write(
    path, name, options, *, actor, rows=None, progress=None, guard=None, kept=None,
    leave_out_errors=False, already=None,
):  # fmt: skip
    """Write the rows, or the slice ``rows`` of them (a ``range`` of their order in the
    file), a batch at a time, each batch all or nothing: checked again, or as the dry run
    ``kept`` them. ``guard()`` is called inside each batch's transaction before
    it writes, and stops the writing by raising ``Stop``; ``progress(written)`` is told in
    the same transaction, after the batch, so that what it records is what was committed.
    With ``leave_out_errors``, the rows with errors in the dry run are not written (they
    are in its error report); a row that passed it and fails now still stops the writing.
    ``already`` is what an earlier, interrupted writing committed: the rows through its
    last line are not written again."""
    written, batch = already or Written(), []
    after_line = written.through or 0
    if kept:
        to_write = rows_as_kept(
            path, name, options, kept, rows=rows, leave_out_errors=leave_out_errors,
            after_line=after_line,
        )  # fmt: skip
    else:
        table, checker = opened(path, name, options)
        numbered = table.rows if rows is None else islice(table.rows, rows.start, rows.stop)
        to_write = (row for row in checked(numbered, checker) if row.line > after_line)
        if leave_out_errors:
            to_write = (row for row in to_write if not row.errors)
    try:
        for row in to_write:
            if row.errors:
                raise ChangedSinceChecked(row, written)
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                flush(batch, name, actor, written, progress, guard)
                batch = []
        flush(batch, name, actor, written, progress, guard)
    except Stop:
        written.stopped = True
    return written


def flush(batch, name, actor, written, progress, guard):
    if not batch:
        return
    with transaction.atomic():
        created, updated = write_batch(batch, actor=actor, source=name, guard=guard)
        written.created += created
        written.updated += updated
        written.skipped += sum(row.action == "skip" for row in batch)
        written.through = batch[-1].line
        if progress:
            progress(written)
    if written.created > 2 * written.analyzed_at:  # twice as many new customers as then
        refresh_statistics(Customer)
        written.analyzed_at = written.created
