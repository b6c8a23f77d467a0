"""The background jobs of an import: the dry run, then the writing. Each records its
progress on the ``CustomerImport`` row, which the import's page polls."""

from django.utils import timezone
from django_tasks import task

from . import pipeline
from .models import CustomerImport
from .reading import FileProblem
from .services import remove_expired_uploads

Status = CustomerImport.Status


def options_of(job):
    return pipeline.Options(
        match=job.match, update=job.update, encoding=job.encoding, date_format=job.date_format,
        mapping=job.mapping, phone_region=job.phone_region.code or None,
    )  # fmt: skip


def progress(job, **fields):
    CustomerImport.objects.filter(pk=job.pk).update(**fields)


@task()
def check_import(import_id):
    remove_expired_uploads()
    job = CustomerImport.objects.get(pk=import_id)
    progress(job, status=Status.CHECKING, rows_done=0)
    try:
        findings = pipeline.dry_run(
            job.file.path, job.name, options_of(job),
            progress=lambda rows: progress(job, rows_done=rows), keep=job.checked_path,
        )  # fmt: skip
    except (FileProblem, OSError) as problem:
        progress(job, status=Status.FAILED, problem=str(problem)[:500], finished_at=timezone.now())
        return
    counts = findings.counts
    progress(
        job,
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
    job = CustomerImport.objects.get(pk=import_id)
    progress(job, status=Status.IMPORTING, rows_done=0)

    def advanced(written):
        progress(
            job,
            rows_done=written.created + written.updated + written.skipped,
            created=written.created,
            updated=written.updated,
            written_through=written.through,
        )

    def cancelled():
        return CustomerImport.objects.filter(pk=job.pk, cancel_requested=True).exists()

    try:
        kept = job.checked_path if job.checked_path.exists() else None
        written = pipeline.write(
            job.file.path, job.name, options_of(job), user=job.created_by,
            progress=advanced, should_stop=cancelled, kept=kept,
        )  # fmt: skip
    except (pipeline.ChangedSinceChecked, FileProblem, OSError) as problem:
        progress(job, status=Status.FAILED, problem=str(problem)[:500], finished_at=timezone.now())
        return
    progress(
        job,
        status=Status.CANCELLED if written.stopped else Status.DONE,
        finished_at=timezone.now(),
    )
    if not written.stopped:  # all is written: the file is not needed any more
        job.remove_file()
