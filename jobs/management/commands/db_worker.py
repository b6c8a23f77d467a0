"""The database queue's worker (django-tasks-db's ``db_worker``), made to last: beside its
loop, a thread says every few seconds that the worker is alive and takes over the jobs of
workers that died; and the loop outlives a database outage, backing off and reconnecting
instead of exiting."""

import logging
import time

from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.utils import is_locked_database_exception

from jobs.running import close_broken_connections, keep_watch

logger = logging.getLogger("django_tasks_db")
LONGEST_BACKOFF = 30  # seconds between two tries at a database that does not answer


class LastingWorker(db_worker.Worker):
    def run(self):
        keep_watch()
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


class Command(db_worker.Command):
    help = (
        "Run a database background worker: it takes over the jobs of workers that died and "
        "outlives database outages."
    )

    def handle(self, *args, **options):
        # The package's handle() builds the worker its module names: this one.
        db_worker.Worker = LastingWorker
        super().handle(*args, **options)
