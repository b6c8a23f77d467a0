"""Running jobs on any worker: starting one, its heartbeat as it works, and taking over
the jobs whose worker died. The queue (the database, or Redis) only carries a job's
number; what the job is, and how far it got, stays in the ``Job`` row, so that all of this
works the same whatever the queue."""

import functools
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .models import Job, Worker

logger = logging.getLogger(__name__)
Status = Job.Status
LOOK_EVERY = 5  # seconds between two looks for stale jobs


class JobTakenAway(Exception):
    """The job is no longer this worker's: it was cancelled, or taken over by another
    worker while this one seemed dead. The work stops before writing more."""


def this_worker():
    return f"{socket.gethostname()}:{os.getpid()}"


def job_task(function):
    """A task that runs one ``Job``: ``function(job)`` does the work and calls ``beat`` as
    it goes. The job is claimed first (another worker may have it already); an exception
    fails it, and its subject is told (``job_failed``) so that its page says so."""

    @task()
    @functools.wraps(function)
    def run(job_id):
        job = claim(job_id)
        if job is None:
            return
        try:
            function(job)
        except JobTakenAway:
            return
        except Exception as error:  # noqa: BLE001 - the page must say the job stopped
            logger.exception("%s stopped", job)
            fail(job, str(error) or type(error).__name__)
            return
        Job.objects.filter(pk=job.pk, worker=job.worker, status=Status.RUNNING).update(
            status=Status.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now()
        )

    return run


def start(task, subject, *, kind):
    """A new job running ``task`` for ``subject``, queued once the transaction commits."""
    job = Job.objects.create(kind=kind, task_path=task.module_path, subject=subject)
    queue_on_commit(job)
    return job


def queue_on_commit(job):
    def queue():
        result = import_string(job.task_path).enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(queue)


def claim(job_id):
    """The job, now running on this worker; None when it is not waiting for one."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, worker=this_worker(),
        heartbeat_at=now, started_at=now,
    )  # fmt: skip
    return Job.objects.get(pk=job_id) if claimed else None


def beat(job, *, done=None, total=None):
    """The job is alive (and, when given, how far it got). Raises ``JobTakenAway`` when it
    is no longer this worker's to run."""
    fields = {"heartbeat_at": timezone.now()}
    if done is not None:
        fields["done"] = done
    if total is not None:
        fields["total"] = total
    mine = Job.objects.filter(pk=job.pk, status=Status.RUNNING, worker=job.worker)
    if not mine.update(**fields):
        raise JobTakenAway(job)


def fail(job, problem):
    """The job stopped on ``problem``, unless it is no longer this worker's."""
    problem = problem[:500]
    mine = Job.objects.filter(pk=job.pk, status=Status.RUNNING, worker=job.worker)
    if mine.update(status=Status.FAILED, problem=problem, finished_at=timezone.now()):
        tell_subject_failed(job, problem)


def tell_subject_failed(job, problem):
    if job.subject is not None:  # its subject may have been removed since
        job.subject.job_failed(problem)


def take_over_stale_jobs():
    """Queue again each job whose worker stopped beating, or fail it after
    ``JOB_MAX_ATTEMPTS`` tries. A compare-and-set on the heartbeat read makes each one
    taken over once, however many workers look at the same time. Returns the jobs."""
    taken = []
    for job in Job.objects.stale():
        again = job.attempts < settings.JOB_MAX_ATTEMPTS
        seen = job.heartbeat_at.strftime("%Y-%m-%d %H:%M:%S %Z")
        problem = (
            f"Its worker {job.worker} stopped (last seen {seen}): it was started again."
            if again
            else f"Its worker stopped during each of its {job.attempts} attempts "
            f"(last seen {seen}): it was not tried again."
        )
        with transaction.atomic():
            moved = Job.objects.filter(
                pk=job.pk, status=Status.RUNNING, heartbeat_at=job.heartbeat_at
            ).update(
                status=Status.QUEUED if again else Status.FAILED, problem=problem,
                finished_at=None if again else timezone.now(),
            )  # fmt: skip
            if not moved:
                continue
            logger.warning("%s: %s", job, problem)
            if again:
                queue_on_commit(job)
            else:
                tell_subject_failed(job, problem)
        taken.append(job)
    return taken


def run_again(job):
    """A new job doing what the failed ``job`` did, for the same subject."""
    job.subject.job_restarting(job)
    return start(import_string(job.task_path), job.subject, kind=job.kind)


def worker_seen(name):
    Worker.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def keep_watch():
    """Start a thread that, every ``LOOK_EVERY`` seconds and on its own database
    connection, says that this worker is alive and takes over the jobs of dead ones: the
    part of every worker that is the project's own, whatever the queue."""
    threading.Thread(target=look_around, name="look-around", daemon=True).start()


def look_around():
    while True:
        try:
            worker_seen(this_worker())
            take_over_stale_jobs()
        except DatabaseError as error:
            logger.warning("Could not look for stale jobs: %s", error)
            close_broken_connections()
        time.sleep(LOOK_EVERY)


def close_broken_connections():
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
