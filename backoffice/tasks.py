"""Background jobs every app uses (exports), and telling when no worker has picked a job
up. The machinery of every job (heartbeats, takeover, attempts) is the ``jobs`` app's."""

import datetime
import tempfile

from django.conf import settings
from django.core.files import File
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import default_task_backend, task
from django_tasks.exceptions import TaskResultDoesNotExist

from jobs.models import Job
from jobs.running import beat, job_task

from . import expiry
from .exports import ExportFormat, write_export_file
from .models import Export
from .services import remove_expired_exports

# A worker picks a job up within a second or two; after this, a page says none is running.
WORKER_WAIT = datetime.timedelta(seconds=10)
PROGRESS_EVERY = 10_000  # rows written between two updates of an export's progress


def task_waits_for_worker(task_id):
    """Whether the task has waited for a worker longer than a running worker takes."""
    if not task_id:
        return False
    try:
        result = default_task_backend.get_result(task_id)
    except (TaskResultDoesNotExist, NotImplementedError):  # the immediate backend keeps none
        return False
    return result.status == "READY" and timezone.now() - result.enqueued_at > WORKER_WAIT


def waiting_state(waiting):
    """What a job's page says of its wait: whether it waits for a worker and, if so, how
    many jobs keep the workers busy meanwhile (0: no worker is running at all), and the
    worker to start. A job queued behind a long import waits for a busy worker, not for a
    missing one; a job whose heartbeat stopped has no worker any more."""
    busy = 0
    if waiting:
        alive_since = timezone.now() - settings.JOB_STALE_AFTER
        running = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__gte=alive_since)
        busy = running.count()
    worker = "rqworker" if settings.REDIS_URL else "db_worker"
    return {"waiting_for_worker": waiting, "workers_busy": busy, "worker_command": worker}


@job_task
def write_export(job):
    """Write the export's rows to a scratch file, then put the whole file in the media
    storage: a job stopped half way leaves no half-written file to download, and a worker
    taking it over starts again from a new scratch file."""
    remove_expired_exports()
    export = Export.objects.select_related("created_by").get(pk=job.subject_id)
    progress(export, status=Export.Status.RUNNING, rows_done=0, problem="")
    lister = import_string(export.list_view)()
    lister.setup(export.rebuilt_request())
    queryset = lister.get_filtered_queryset()
    total = queryset.count()
    progress(export, rows_total=total)
    beat(job, total=total)
    with tempfile.TemporaryFile() as scratch:
        rows = write_export_file(
            ExportFormat(export.file_format), lister.table_class, queryset, scratch
        )
        number = reported = 0
        for number in rows:  # a row at a time in Python, a block at a time through COPY
            if number - reported >= PROGRESS_EVERY:
                beat(job, done=number)
                progress(export, rows_done=number)
                reported = number
        beat(job, done=number)
        export.file.save(export.filename, File(scratch), save=False)
    progress(
        export,
        status=Export.Status.DONE,
        file=export.file.name,
        rows_done=number,
        finished_at=timezone.now(),
    )


def progress(export, **fields):
    Export.objects.filter(pk=export.pk).update(**fields)


@task()
def remove_expired_files():
    """Remove the expired files of every kind of job (``run_schedules``, every day)."""
    for remover in expiry.removers.values():
        remover()
