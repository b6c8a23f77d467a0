"""The database queue's worker (django-tasks-db's ``db_worker``), made to last: beside its
loop, a thread says every few seconds that the worker is alive and takes over the jobs of
workers that died; and the loop outlives a database outage, backing off and reconnecting
instead of exiting."""

import logging
import threading
import time

from django.db import connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.utils import is_locked_database_exception

from jobs.running import take_over_stale_jobs, this_worker, worker_seen

logger = logging.getLogger("django_tasks_db")
LOOK_EVERY = 5  # seconds between two looks for stale jobs
LONGEST_BACKOFF = 30  # seconds between two tries at a database that does not answer


class LastingWorker(db_worker.Worker):
    def run(self):
        threading.Thread(target=look_around, name="look-around", daemon=True).start()
        backoff = 1
        while self.running:
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if is_locked_database_exception(error):
                    continue
                logger.warning("The database does not answer (%s): again in %d s", error, backoff)
                close_broken_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, LONGEST_BACKOFF)


def look_around():
    """Every ``LOOK_EVERY`` seconds, in its own thread (and database connection): this
    worker is alive, and the jobs of dead ones are taken over."""
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


class Command(db_worker.Command):
    help = (
        "Run a database background worker: it takes over the jobs of workers that died and "
        "outlives database outages."
    )

    def handle(self, *args, **options):
        # The package's handle() builds the worker its module names: this one.
        db_worker.Worker = LastingWorker
        super().handle(*args, **options)
