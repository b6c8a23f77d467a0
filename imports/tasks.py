"""The background jobs of an import: the dry run, then the writing. Each records its
progress on the ``CustomerImport`` row, which the import's page polls, and its heartbeat on
its ``Job`` (``jobs.running``)."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from customers import scope
from jobs.running import beat, job_task, start

from . import pipeline
from .checking import needs_mapping
from .models import CheckPart, CustomerImport, RememberedMapping
from .reading import FileProblem, open_table
from .services import remove_expired_uploads

Status = CustomerImport.Status


def options_of(job):
    return pipeline.Options(
        match=job.match, update=job.update, encoding=job.encoding, date_format=job.date_format,
        mapping=job.mapping, phone_region=job.phone_region.code or None,
        store_ids=stores_of(job.created_by),
    )  # fmt: skip


def stores_of(person):
    """The stores an import of ``person``'s may name and reach (``customers.scope``)."""
    if person is None or scope.is_chain_wide(person):
        return None
    return scope.held_store_ids(person)


def written_so_far(customer_import):
    """What the batches committed before this worker took the writing over had written."""
    done = customer_import.created + customer_import.updated
    return pipeline.Written(
        created=customer_import.created, updated=customer_import.updated,
        skipped=customer_import.rows_done - done, through=customer_import.written_through,
    )  # fmt: skip


def progress(job, **fields):
    CustomerImport.objects.filter(pk=job.pk).update(**fields)


def failed(job, source, problem):
    """The job stopped on ``problem``, which its page shows; whether this moved it."""
    return job.move(
        source=source, status=Status.FAILED, problem=str(problem)[:500], finished_at=timezone.now()
    )


@job_task
def check_import(job):
    """The dry run. A workbook is opened here, never in a web request: its header is read
    first, and a file whose columns must be chosen waits for them (``MAPPING``). Then the
    rows are counted, and a file of more than ``IMPORT_CHECK_PART_ROWS`` is checked in parts, a
    job each (``check_part``), which any worker takes. A worker taking a check over
    checks its part again from the start."""
    remove_expired_uploads()
    customer_import = CustomerImport.objects.get(pk=job.subject_id)
    if customer_import.status != Status.CHECKING:  # already checked by another run
        return
    try:
        if not customer_import.header:
            table = opened_file(customer_import)
            read = {
                "header": table.header,
                "examples": table.first_rows(),
                "mapping": RememberedMapping.objects.for_header(table.header),
            }
            if needs_mapping(read["header"], read["mapping"]):
                customer_import.move(source=[Status.CHECKING], status=Status.MAPPING, **read)
                return
            customer_import.move(source=[Status.CHECKING], **read)
        rows = sum(1 for _ in opened_file(customer_import).rows)
    except (FileProblem, OSError) as problem:  # the file is not kept: it cannot be read
        failed(customer_import, [Status.CHECKING], problem)
        customer_import.remove_file()
        return
    parts = plan_parts(customer_import, rows)
    beat(job, done=0, total=rows)
    if len(parts) == 1:
        check_one_part(job, parts[0])
        return
    for part in parts:
        start(check_part, part, kind=CheckPart.CHECK_JOB)


def opened_file(customer_import):
    return open_table(
        customer_import.file.path, name=customer_import.name, encoding=customer_import.encoding
    )


def plan_parts(customer_import, rows):
    """The import's check parts, made again (``IMPORT_CHECK_PART_ROWS`` rows each), under
    a lock on the import's row, which a part finishing takes too. What an earlier check
    left goes: its parts stop at their next heartbeat, finding their row gone."""
    with transaction.atomic():
        CustomerImport.objects.select_for_update().filter(pk=customer_import.pk).get()
        for part in customer_import.check_parts.all():
            part.path.unlink(missing_ok=True)
        customer_import.check_parts.all().delete()
        customer_import.checked_path.unlink(missing_ok=True)
        customer_import.error_report_path.unlink(missing_ok=True)
        CustomerImport.objects.filter(pk=customer_import.pk).update(rows_done=0)
        size = settings.IMPORT_CHECK_PART_ROWS
        return CheckPart.objects.bulk_create(
            CheckPart(
                customer_import=customer_import,
                number=number,
                first_row=first,
                row_count=min(size, rows - first),
            )
            for number, first in enumerate(range(0, rows, size))
        )


@job_task
def check_part(job):
    check_one_part(job, CheckPart.objects.select_related("customer_import").get(pk=job.subject_id))


def check_one_part(job, part):
    """Check the part's rows; the last part to finish makes the import's findings. The
    import's progress is the sum of its parts', each counting its own rows (again from
    none when a worker takes a part over). A part taken over after it was checked goes
    straight on to the findings."""
    customer_import = part.customer_import

    def checked(rows):
        with transaction.atomic():
            beat(job, done=rows)
            # A part of an earlier check (its row gone), or of a check no longer running,
            # stops.
            if not CheckPart.objects.filter(pk=part.pk).update(rows_done=rows):
                raise pipeline.Stop
            counted = CustomerImport.objects.filter(
                pk=customer_import.pk, status=Status.CHECKING
            ).update(rows_done=F("rows_done") + rows - part.rows_done)
            if not counted:
                raise pipeline.Stop
        part.rows_done = rows

    if not part.checked:
        try:
            if part.rows_done:  # counted by a worker that died
                checked(0)
            pipeline.check_part(
                customer_import.file.path, customer_import.name, options_of(customer_import),
                part.path, rows=part.rows, progress=checked,
            )  # fmt: skip
        except pipeline.Stop:
            return
        except (FileProblem, OSError) as problem:  # the file is not kept: it cannot be read
            if failed(customer_import, [Status.CHECKING], problem):
                customer_import.remove_file()
            return
    if last_part_checked(job, part):
        finish_check(job, customer_import)


def last_part_checked(job, part):
    """Mark the part checked; whether it was the last. One part at a time (a lock on the
    import's row), so that exactly one part finds itself the last; and only while the job
    is still this worker's and the part still the import's."""
    with transaction.atomic():
        CustomerImport.objects.select_for_update().filter(pk=part.customer_import_id).get()
        beat(job)
        if not CheckPart.objects.filter(pk=part.pk).update(checked=True):
            return False
        return not CheckPart.objects.filter(
            customer_import_id=part.customer_import_id, checked=False
        ).exists()


def finish_check(job, customer_import):
    """The findings of all the parts, in the file's order (``pipeline.finish``), beating
    as it reads them."""
    parts = list(customer_import.check_parts.all())
    findings = pipeline.finish(
        [part.path for part in parts], customer_import.header,
        keep=customer_import.checked_path, report=customer_import.error_report_path,
        progress=lambda rows: beat(job),
    )  # fmt: skip
    counts = findings.counts
    moved = customer_import.move(
        source=[Status.CHECKING],
        status=Status.REFUSED if counts["error"] else Status.CHECKED,
        rows_total=findings.rows,
        rows_done=findings.rows,
        to_create=counts["create"],
        to_update=counts["update"],
        to_skip=counts["skip"],
        error_count=findings.error_count,
        errors=[[e.line, e.column, e.value, e.message] for e in findings.errors],
        samples={action: rows for action, rows in findings.samples.items() if rows},
    )
    if moved:
        for part in parts:
            part.path.unlink(missing_ok=True)


@job_task
def run_import(job):
    """The writing, by whoever pressed Import. Before each batch, under a lock on the
    import's row, the import must still be importing and not cancelled: a cancel, or
    anything else that moved it, stops the writing before the next batch. Each batch
    records how far the writing got in its own transaction, so that a worker taking the
    job over goes on after the last batch committed, writing nothing twice."""
    customer_import = CustomerImport.objects.select_related("committed_by").get(pk=job.subject_id)
    resuming = customer_import.status == Status.IMPORTING
    if not resuming and not customer_import.move(
        source=[Status.QUEUED], status=Status.IMPORTING, rows_done=0
    ):
        return

    def advanced(written):
        beat(job, done=written.created + written.updated + written.skipped)
        progress(
            customer_import,
            rows_done=written.created + written.updated + written.skipped,
            created=written.created,
            updated=written.updated,
            written_through=written.through,
        )

    def still_importing():
        state = CustomerImport.objects.select_for_update().filter(pk=customer_import.pk)
        if state.values_list("status", "cancel_requested").get() != (Status.IMPORTING, False):
            raise pipeline.Stop

    try:
        kept = customer_import.checked_path if customer_import.checked_path.exists() else None
        written = pipeline.write(
            customer_import.file.path, customer_import.name, options_of(customer_import),
            user=customer_import.committed_by, progress=advanced, guard=still_importing,
            kept=kept, leave_out_errors=customer_import.leave_out_errors,
            already=written_so_far(customer_import) if resuming else None,
        )  # fmt: skip
    except (pipeline.ChangedSinceChecked, FileProblem, OSError) as problem:
        failed(customer_import, [Status.IMPORTING], problem)
        return
    customer_import.move(
        source=[Status.IMPORTING],
        status=Status.CANCELLED if written.stopped else Status.DONE,
        finished_at=timezone.now(),
    )
    if written.stopped:
        return
    if customer_import.leave_out_errors:  # the rows left out stay to download until expiry
        customer_import.checked_path.unlink(missing_ok=True)
    else:  # all is written: the file is not needed any more
        customer_import.remove_file()
