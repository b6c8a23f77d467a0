"""The background jobs of an import: the dry run, then the writing. Each records its
progress on the ``CustomerImport`` row, which the import's page polls, and its heartbeat on
its ``Job`` (``jobs.running``)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone

from backoffice.audit import Actor
from backoffice.database import refresh_statistics
from customers import scope
from customers.models import Customer
from jobs.models import Job
from jobs.running import beat, job_task, start

from . import pipeline
from .checking import needs_mapping
from .models import CheckPart, CustomerImport, RememberedMapping, WritePart
from .reading import FileProblem, open_table
from .services import remove_expired_uploads

# The actor of an import whose person's login is gone since they pressed Import.
IMPORT_JOB = Actor("Import (run_import)")

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


def failed(job, source, problem):
    """The job stopped on ``problem``, which its page shows; whether this moved it."""
    return job.move(
        source=source, status=Status.FAILED, problem=str(problem)[:500], finished_at=timezone.now()
    )


@job_task
def check_import(job):
    """The dry run. A workbook is opened here, never in a web request: its header is read
    first, and a file whose columns must be chosen waits for them (``MAPPING``). Then the
    rows are counted, and a file of more than ``IMPORT_PART_ROWS`` is checked in parts, a
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
    """The import's check parts, made again (``IMPORT_PART_ROWS`` rows each), under
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
        return CheckPart.cut(customer_import, rows, settings.IMPORT_PART_ROWS)


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
    """The writing, by whoever pressed Import. A file of more than ``IMPORT_PART_ROWS``
    rows is written in parts, a job each (``write_part``), which any worker takes; a
    smaller one here. Run again, or a worker taking this job over, starts the parts not
    written yet, each going on after its last batch."""
    customer_import = CustomerImport.objects.select_related("committed_by").get(pk=job.subject_id)
    started = customer_import.move(source=[Status.QUEUED], status=Status.IMPORTING, rows_done=0)
    if not started and customer_import.status != Status.IMPORTING:  # cancelled, or written
        return
    parts = write_parts(customer_import)
    if len(parts) == 1:
        write_one_part(job, parts[0])
        return
    if not parts.filter(written=False).exists():  # the last part stopped before finishing
        finish_import(customer_import)
        return
    under_way = Job.objects.filter(
        subject_type=ContentType.objects.get_for_model(WritePart),
        subject_id=OuterRef("pk"),
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    )
    for part in parts.filter(written=False).exclude(Exists(under_way)):
        start(write_part, part, kind=WritePart.WRITE_JOB)


def write_parts(customer_import):
    """The import's write parts: those of its first run, or new ones over the rows the dry
    run kept (else over the file's rows), made under a lock on the import's row."""
    with transaction.atomic():
        CustomerImport.objects.select_for_update().filter(pk=customer_import.pk).get()
        parts = customer_import.write_parts.select_related("customer_import__committed_by")
        if parts:
            return parts
        rows, size = customer_import.rows_total or 0, settings.IMPORT_PART_ROWS
        if not customer_import.checked_path.exists():
            size = max(rows, 1)  # checked again as it is written, in one part
        WritePart.cut(customer_import, rows, size)
        return parts.all()


@job_task
def write_part(job):
    part = WritePart.objects.select_related("customer_import__committed_by").get(pk=job.subject_id)
    write_one_part(job, part)


def write_one_part(job, part):
    """Write the part's rows, a batch at a time. Before each batch, the import must still be
    importing and not cancelled, and the part must be where this worker left it (a worker
    that only seemed dead must not write a batch its successor wrote). Each batch records
    how far the part got in its own transaction; the import's progress is the sum of its
    parts', and the last part written finishes the import."""
    customer_import = part.customer_import

    def advanced(written):
        rows = written.created + written.updated + written.skipped
        beat(job, done=rows)
        WritePart.objects.filter(pk=part.pk).update(
            rows_done=rows, created=written.created, updated=written.updated,
            written_through=written.through,
        )  # fmt: skip
        part.written_through = written.through
        add_up_parts(customer_import)

    def still_ours():
        importing = CustomerImport.objects.filter(
            pk=customer_import.pk, status=Status.IMPORTING, cancel_requested=False
        )
        where_we_left_it = WritePart.objects.select_for_update().filter(
            pk=part.pk, written_through=part.written_through
        )
        if not (importing.exists() and where_we_left_it.exists()):
            raise pipeline.Stop

    try:
        written = pipeline.write(
            customer_import.file.path, customer_import.name, options_of(customer_import),
            actor=customer_import.committed_by or IMPORT_JOB, rows=part.rows, progress=advanced,
            guard=still_ours, kept=kept_rows(customer_import),
            leave_out_errors=customer_import.leave_out_errors,
            already=pipeline.Written(
                created=part.created, updated=part.updated,
                skipped=part.rows_done - part.created - part.updated,
                through=part.written_through, analyzed_at=part.first_row,
            ),
        )  # fmt: skip
    except (pipeline.ChangedSinceChecked, FileProblem, OSError) as problem:
        failed(customer_import, [Status.IMPORTING], problem)
        return
    if written.stopped:
        CustomerImport.objects.filter(
            pk=customer_import.pk, status=Status.IMPORTING, cancel_requested=True
        ).update(status=Status.CANCELLED, finished_at=timezone.now())
    elif last_part_written(job, part):
        finish_import(customer_import)


def kept_rows(customer_import):
    return customer_import.checked_path if customer_import.checked_path.exists() else None


def add_up_parts(customer_import):
    """The import's progress: the sum of what its parts wrote, added up in each batch's
    transaction, under a lock on the import's row that the batch holds until it commits: a
    batch of another part adding up next sees this one's."""
    with transaction.atomic():
        CustomerImport.objects.select_for_update().filter(pk=customer_import.pk).get()
        totals = customer_import.write_parts.aggregate(
            rows_done=Sum("rows_done", default=0), created=Sum("created", default=0),
            updated=Sum("updated", default=0),
        )  # fmt: skip
        CustomerImport.objects.filter(pk=customer_import.pk).update(**totals)


def last_part_written(job, part):
    """Mark the part written; whether it was the last (as ``last_part_checked``)."""
    with transaction.atomic():
        CustomerImport.objects.select_for_update().filter(pk=part.customer_import_id).get()
        beat(job)
        WritePart.objects.filter(pk=part.pk).update(written=True)
        return not WritePart.objects.filter(
            customer_import_id=part.customer_import_id, written=False
        ).exists()


def finish_import(customer_import):
    if not customer_import.move(
        source=[Status.IMPORTING], status=Status.DONE, finished_at=timezone.now()
    ):
        return
    refresh_statistics(Customer)
    if customer_import.leave_out_errors:  # the rows left out stay to download until expiry
        customer_import.checked_path.unlink(missing_ok=True)
    else:  # all is written: the file is not needed any more
        customer_import.remove_file()
