"""The background jobs of an import: the dry run, then the writing. Each records its
progress on the ``CustomerImport`` row, which the import's page polls, and its heartbeat on
its ``Job`` (``jobs.running``)."""

from django.utils import timezone

from customers import scope
from jobs.running import beat, job_task

from . import pipeline
from .checking import needs_mapping
from .models import CustomerImport, RememberedMapping
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
    """The job stopped on ``problem``, which its page shows."""
    job.move(
        source=source, status=Status.FAILED, problem=str(problem)[:500], finished_at=timezone.now()
    )


@job_task
def check_import(job):
    """The dry run. A workbook is opened here, never in a web request: its header is read
    first, and a file whose columns must be chosen waits for them (``MAPPING``). A worker
    taking it over checks the file again from the start."""
    remove_expired_uploads()
    customer_import = CustomerImport.objects.get(pk=job.subject_id)
    if customer_import.status != Status.CHECKING:  # already checked by another run
        return
    try:
        if not customer_import.header:
            table = open_table(
                customer_import.file.path, name=customer_import.name,
                encoding=customer_import.encoding,
            )  # fmt: skip
            read = {
                "header": table.header,
                "examples": table.first_rows(),
                "mapping": RememberedMapping.objects.for_header(table.header),
            }
            if needs_mapping(read["header"], read["mapping"]):
                customer_import.move(source=[Status.CHECKING], status=Status.MAPPING, **read)
                return
            customer_import.move(source=[Status.CHECKING], **read)

        def checked(rows):
            beat(job, done=rows)
            progress(customer_import, rows_done=rows)

        findings = pipeline.dry_run(
            customer_import.file.path, customer_import.name, options_of(customer_import),
            progress=checked, keep=customer_import.checked_path,
            report=customer_import.error_report_path,
        )  # fmt: skip
    except (FileProblem, OSError) as problem:  # the file is not kept: it cannot be read
        failed(customer_import, [Status.CHECKING], problem)
        customer_import.remove_file()
        return
    counts = findings.counts
    customer_import.move(
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
