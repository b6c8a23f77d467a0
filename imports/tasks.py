"""The background jobs of an import: the dry run, then the writing. Each records its
progress on the ``CustomerImport`` row, which the import's page polls."""

import logging

from django.utils import timezone
from django_tasks import task

from customers import scope

from . import pipeline
from .checking import needs_mapping
from .models import CustomerImport, RememberedMapping
from .reading import FileProblem, open_table
from .services import remove_expired_uploads

Status = CustomerImport.Status
logger = logging.getLogger(__name__)


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


def progress(job, **fields):
    CustomerImport.objects.filter(pk=job.pk).update(**fields)


def failed(job, source, problem):
    """The job stopped on ``problem``, which its page shows."""
    job.move(
        source=source, status=Status.FAILED, problem=str(problem)[:500], finished_at=timezone.now()
    )


@task()
def check_import(import_id):
    """The dry run. A workbook is opened here, never in a web request: its header is read
    first, and a file whose columns must be chosen waits for them (``MAPPING``)."""
    remove_expired_uploads()
    job = CustomerImport.objects.get(pk=import_id)
    if job.status != Status.CHECKING:  # already checked by another run of this job
        return
    try:
        if not job.header:
            table = open_table(job.file.path, name=job.name, encoding=job.encoding)
            read = {
                "header": table.header,
                "examples": table.first_rows(),
                "mapping": RememberedMapping.objects.for_header(table.header),
            }
            if needs_mapping(read["header"], read["mapping"]):
                job.move(source=[Status.CHECKING], status=Status.MAPPING, **read)
                return
            job.move(source=[Status.CHECKING], **read)
        findings = pipeline.dry_run(
            job.file.path, job.name, options_of(job),
            progress=lambda rows: progress(job, rows_done=rows), keep=job.checked_path,
            report=job.error_report_path,
        )  # fmt: skip
    except (FileProblem, OSError) as problem:  # the file is not kept: it cannot be read
        failed(job, [Status.CHECKING], problem)
        job.remove_file()
        return
    except Exception as error:  # the page must say the job stopped, not spin for ever
        logger.exception("The check of import %s stopped", job.pk)
        failed(job, [Status.CHECKING], error)
        return
    counts = findings.counts
    job.move(
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


@task()
def run_import(import_id):
    """The writing, by whoever pressed Import. Before each batch, under a lock on the
    import's row, the import must still be importing and not cancelled: a cancel, or
    anything else that moved it, stops the writing before the next batch."""
    job = CustomerImport.objects.select_related("committed_by").get(pk=import_id)
    if not job.move(source=[Status.QUEUED], status=Status.IMPORTING, rows_done=0):
        return

    def advanced(written):
        progress(
            job,
            rows_done=written.created + written.updated + written.skipped,
            created=written.created,
            updated=written.updated,
            written_through=written.through,
        )

    def still_importing():
        state = CustomerImport.objects.select_for_update().filter(pk=job.pk)
        if state.values_list("status", "cancel_requested").get() != (Status.IMPORTING, False):
            raise pipeline.Stop

    try:
        kept = job.checked_path if job.checked_path.exists() else None
        written = pipeline.write(
            job.file.path, job.name, options_of(job), user=job.committed_by,
            progress=advanced, guard=still_importing, kept=kept,
            leave_out_errors=job.leave_out_errors,
        )  # fmt: skip
    except (pipeline.ChangedSinceChecked, FileProblem, OSError) as problem:
        failed(job, [Status.IMPORTING], problem)
        return
    except Exception as error:  # the page must say the job stopped, not spin for ever
        logger.exception("Import %s stopped", job.pk)
        failed(job, [Status.IMPORTING], error)
        return
    job.move(
        source=[Status.IMPORTING],
        status=Status.CANCELLED if written.stopped else Status.DONE,
        finished_at=timezone.now(),
    )
    if written.stopped:
        return
    if job.leave_out_errors:  # the rows left out stay to download, until the file expires
        job.checked_path.unlink(missing_ok=True)
    else:  # all is written: the file is not needed any more
        job.remove_file()
