"""Daily work in one place: run_schedules queues each schedule once a day, after its time,
however many machines run it at the same minute."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backoffice.models import Export
from jobs.schedules import SCHEDULES, Schedule, run_due_schedules
from tests.workers import needs_shared_database, queue_jobs_in_the_database

RETENTION = next(schedule for schedule in SCHEDULES if schedule.name == "Apply retention")


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime(2026, 12, day, hour, minute))


@pytest.fixture
def queue(settings, db):
    queue_jobs_in_the_database(settings)
    return DBTaskResult.objects


def queued_paths(queue):
    return sorted(queue.values_list("task_path", flat=True))


def test_each_schedule_is_queued_once_a_day_after_its_time(queue):
    assert {s.name for s in run_due_schedules(now=at(3, 10))} == {s.name for s in SCHEDULES}
    assert run_due_schedules(now=at(3, 23, 59)) == []  # the same day: queued already
    before_three = [s for s in SCHEDULES if s.at < datetime.time(3, 0)]
    assert run_due_schedules(now=at(4, 2, 59)) == before_three  # not retention's 03:00 yet
    assert run_due_schedules(now=at(4, 3, 0)) == [RETENTION]

    assert queued_paths(queue).count(RETENTION.task_path) == 2


def test_before_its_time_a_schedule_belongs_to_the_day_before():
    assert RETENTION.period(at(4, 2, 59)) == "2026-12-03"
    assert RETENTION.period(at(4, 3, 0)) == "2026-12-04"


def test_the_command_says_what_it_queued(queue):
    out = StringIO()
    call_command("run_schedules", stdout=out)
    call_command("run_schedules", stdout=out)

    lines = out.getvalue().splitlines()
    assert "Apply retention (daily at 03:00): queued now" in lines[:3]
    assert "Apply retention (daily at 03:00): already queued for its day" in lines[3:]


def test_the_daily_tasks_run_when_queued(db, manager):
    """The tests' job backend runs a task as it is queued."""
    old = Export.objects.create(
        title="Customers", list_view="x", filename="old.csv", created_by=manager,
        status=Export.Status.DONE, created_at=timezone.now() - datetime.timedelta(days=2),
    )  # fmt: skip
    old.file.save("old.csv", ContentFile(b"id\n"))

    run_due_schedules()

    assert Export.objects.get().status == Export.Status.EXPIRED
    assert not default_storage.exists(old.file.name)


@needs_shared_database
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_queue_a_schedule_once(settings):
    queue_jobs_in_the_database(settings)
    nightly = Schedule("Race", RETENTION.task_path, datetime.time(3, 0))
    start = threading.Barrier(2)
    queued = []

    def worker():
        start.wait()
        try:
            queued.extend(run_due_schedules(now=at(3, 10), schedules=[nightly]))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert queued == [nightly]
    assert DBTaskResult.objects.filter(task_path=RETENTION.task_path).count() == 1
