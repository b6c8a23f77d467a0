"""RQ's worker (django-rq's ``rqworker``) for jobs queued on Redis (``REDIS_URL``), made
to last as ``db_worker`` is: beside its loop, a thread says every few seconds that the
worker is alive and takes over the jobs of workers that died.

It runs each job in the worker's own process (RQ's ``SimpleWorker``), as ``db_worker``
does, rather than in a child forked per job: a worker killed then stops its job, whose
heartbeat stops and which another worker takes over, instead of leaving an orphan
writing on. Each job starts and ends with the database connections checked, as each web
request does, so that a worker outlives a database outage between two jobs.
"""

from django.conf import settings
from django.core.management import CommandError
from django.db import close_old_connections
from django_rq.management.commands import rqworker
from django_tasks.signals import task_finished, task_started

from jobs.running import keep_watch

JOB_CLASS = "django_tasks_rq.Job"  # runs the django-tasks task an RQ job carries
WORKER_CLASS = "rq.worker.SimpleWorker"


def check_connections(**kwargs):
    close_old_connections()


class Command(rqworker.Command):
    help = (
        "Run a Redis background worker (REDIS_URL): it takes over the jobs of workers that "
        "died. Give queue names to work on other queues than 'default'."
    )

    def handle(self, *args, **options):
        if not settings.REDIS_URL:
            raise CommandError("Jobs are queued in the database: run db_worker, or set REDIS_URL.")
        options["job_class"] = options["job_class"] or JOB_CLASS
        options["worker_class"] = options["worker_class"] or WORKER_CLASS
        task_started.connect(check_connections)
        task_finished.connect(check_connections)
        keep_watch()
        super().handle(*args, **options)
