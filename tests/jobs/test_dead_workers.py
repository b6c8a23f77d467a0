"""Real worker processes: one killed with SIGKILL mid-job, and another taking the job over,
with the same result as a run that was not killed; one living through a database outage."""

import contextlib
import signal
import time

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from backoffice.models import AuditEvent, Export
from customers.models import Customer
from imports import tasks
from imports.models import CustomerImport
from jobs.models import Job, Worker
from jobs.running import start
from tests.factories import make_customer
from tests.workers import (
    database_url,
    queue_jobs_for_workers,
    real_worker,
    run_worker,
    start_worker,
    wait_for,
    workers_running,
)

pytestmark = [pytest.mark.django_db(transaction=True), *real_worker]
EXPORT_URL = reverse("customers:export")


def test_an_export_killed_mid_write_is_finished_by_another_worker_byte_for_byte(
    settings, manager_client, downtown
):
    queue_jobs_for_workers(settings)
    Customer.objects.bulk_create(
        Customer(first_name=f"Ada{n}", last_name="Lovelace", sort_name="Lovelace",
                 email=f"ada{n}@example.com")
        for n in range(40_000)
    )  # fmt: skip
    manager_client.post(f"{EXPORT_URL}?store=all")
    killed = Export.objects.get()

    first = start_worker(settings, JOB_STALE_AFTER="3")
    wait_for(lambda: Job.objects.get().done >= 10_000)  # written part of the way
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert Export.objects.get().status == Export.Status.RUNNING

    with workers_running(settings, JOB_STALE_AFTER="3"):  # a second worker
        wait_for(lambda: Export.objects.get(pk=killed.pk).status != Export.Status.RUNNING)

    manager_client.post(f"{EXPORT_URL}?store=all")  # the same export, never killed
    run_worker(settings)
    killed, untouched = Export.objects.order_by("pk")
    assert (killed.status, untouched.status) == (Export.Status.DONE, Export.Status.DONE)
    assert killed.job.attempts == 2 and "stopped" in killed.job.problem
    assert killed.rows_done == 40_000
    assert killed.file.read() == untouched.file.read()


@contextlib.contextmanager
def database_down(seconds):
    """The test database refuses connections and drops those it had, but this test's own,
    for ``seconds``. Said from the server's maintenance database: a database cannot close
    itself."""
    name = connection.settings_dict["NAME"]
    with psycopg.connect(database_url().rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                mine = cursor.fetchone()[0]
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [name, mine],
            )
            time.sleep(seconds)
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_a_worker_outlives_a_database_outage_of_10_seconds(settings, manager_client, downtown):
    queue_jobs_for_workers(settings)
    make_customer(first_name="Ada", stores=[downtown])
    with workers_running(settings, JOB_STALE_AFTER="3") as (worker,):
        manager_client.post(f"{EXPORT_URL}?store=all")
        wait_for(lambda: Export.objects.get().status == Export.Status.DONE)
        with database_down(seconds=10):
            assert worker.poll() is None  # still running

        manager_client.post(f"{EXPORT_URL}?store=all")
        wait_for(lambda: Export.objects.latest("pk").status == Export.Status.DONE, timeout=60)
    assert b"Ada" in Export.objects.latest("pk").file.read()
    assert Worker.objects.exists()  # it said it was alive, for check_workers


@pytest.mark.parametrize("part_rows", ["20000", "5000"], ids=["whole", "in parts"])
def test_an_import_killed_mid_write_goes_on_after_its_last_batch_with_no_duplicates(
    settings, manager, downtown, part_rows
):
    queue_jobs_for_workers(settings)
    rows = [f"Ada{n},Lovelace{n},ada{n}@example.com,DT01\n" for n in range(12_000)]
    customer_import = CustomerImport(name="customers.csv", created_by=manager)
    customer_import.file.save(
        "customers.csv", ContentFile("first_name,last_name,email,stores\n" + "".join(rows))
    )
    start(tasks.check_import, customer_import, kind=CustomerImport.CHECK_JOB)
    run_worker(settings)
    CustomerImport.objects.filter(pk=customer_import.pk).update(
        status=CustomerImport.Status.QUEUED, committed_by=manager
    )
    start(tasks.run_import, customer_import, kind=CustomerImport.WRITE_JOB)

    first = start_worker(settings, JOB_STALE_AFTER="3", IMPORT_PART_ROWS=part_rows)
    wait_for(lambda: CustomerImport.objects.get().created >= 3_000)  # a few batches in
    first.send_signal(signal.SIGKILL)
    first.wait()
    with workers_running(settings, JOB_STALE_AFTER="3", IMPORT_PART_ROWS=part_rows):
        wait_for(lambda: CustomerImport.objects.get().status == CustomerImport.Status.DONE)

    customer_import.refresh_from_db()
    assert customer_import.created == 12_000
    assert Job.objects.filter(attempts=2).count() == 1  # the job killed, taken over
    emails = Customer.objects.values_list("email", flat=True)
    assert sorted(emails) == sorted(f"ada{n}@example.com" for n in range(12_000))
    created = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE)
    assert created.count() == 12_000  # each written once, audit events too
