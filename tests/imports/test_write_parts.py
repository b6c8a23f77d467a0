"""A big file is written in parts, a job each, which any worker takes: the customers, their
stores, loyalty balances, tiles and audit events are the same as writing it in one go;
cancel stops every part, and a part that failed is run again from its last batch."""

import datetime
import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backoffice.models import AuditEvent
from customers import tallies
from customers.models import Customer
from imports import pipeline, tasks
from imports.models import CustomerImport, WritePart
from jobs.models import Job
from jobs.running import start
from tests.factories import make_customer
from tests.workers import (
    needs_shared_database,
    queue_jobs_for_workers,
    run_worker,
    wait_for,
    workers_running,
)

Status = CustomerImport.Status
HEADER = "first_name,last_name,email,stores,loyalty_enrolled,loyalty_balance\n"


def rows(domain, count):
    """New customers, some in the loyalty programme; two known customers, renamed; and a
    row with an error, left out."""
    lines = [
        f"Ada{n},Lovelace,ada{n}@{domain},DT01,{'true' if n % 3 else 'false'},{n % 3 * 10}\n"
        for n in range(count)
    ]
    lines[4] = f"Known,Renamed,known1@{domain},DT01,true,5\n"
    lines[-3] = f"Known,Renamed,known2@{domain},DT01,false,\n"
    lines[7] = "Dee,Broken,not-an-email,DT01,false,\n"
    return HEADER + "".join(lines)


def checked_import(manager, domain, count):
    for known in ("known1", "known2"):
        make_customer(first_name="Known", last_name="Before", email=f"{known}@{domain}")
    customer_import = CustomerImport(
        name="customers.csv", created_by=manager, committed_by=manager, update=True
    )
    customer_import.file.save("customers.csv", ContentFile(rows(domain, count)))
    start(tasks.check_import, customer_import, kind=CustomerImport.CHECK_JOB)
    return customer_import


def press_import(customer_import):
    """Import the valid rows, leaving the one with an error out."""
    CustomerImport.objects.filter(pk=customer_import.pk).update(
        status=Status.QUEUED, leave_out_errors=True
    )
    return start(tasks.run_import, customer_import, kind=CustomerImport.WRITE_JOB)


def what_was_imported(domain):
    """The customers with emails at ``domain`` as a store would see them, whatever their
    numbers: names, stores, loyalty, and the audit events about them."""
    customers = Customer.objects.filter(email__endswith=f"@{domain}").prefetch_related("stores")
    return {
        "customers": sorted(
            (c.first_name, c.last_name, c.email.split("@")[0], c.loyalty_points,
             tuple(store.code for store in c.stores.all()))
            for c in customers
        ),
        "events": sorted(
            AuditEvent.objects.filter(object_id__in=customers.values("pk"))
            .values_list("action", "summary")
        ),
    }  # fmt: skip


@pytest.fixture
def by_one_part(manager, downtown):
    """The file written whole (one part), and what that wrote."""
    written = checked_import(manager, "one.example", 11)
    press_import(written)
    written.refresh_from_db()
    return written, what_was_imported("one.example")


@pytest.mark.django_db(transaction=True)  # each part's job is queued once its caller commits
def test_parts_write_what_one_part_writes(settings, manager, by_one_part):
    whole, as_written_whole = by_one_part
    settings.IMPORT_PART_ROWS = 3

    in_parts = checked_import(manager, "parts.example", 11)
    press_import(in_parts)

    in_parts.refresh_from_db()
    assert what_was_imported("parts.example") == as_written_whole
    assert (in_parts.status, in_parts.created, in_parts.updated, in_parts.rows_done) == (
        "done", 8, 2, 10,
    )  # fmt: skip
    assert (whole.created, whole.updated, whole.rows_done) == (8, 2, 10)
    assert in_parts.write_parts.filter(written=True).count() == 4
    assert tallies.differences() == {}  # the tiles count both imports' customers
    assert not in_parts.checked_path.exists()  # written: only the rows left out stay
    assert in_parts.error_report_path.exists()


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_every_part(settings, manager, manager_client, downtown, monkeypatch):
    settings.IMPORT_PART_ROWS = 3
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    customer_import = checked_import(manager, "parts.example", 11)
    flush = pipeline.flush

    def cancel_after_the_first_batch(batch, *args):
        flush(batch, *args)
        manager_client.post(reverse("imports:cancel", args=[customer_import.pk]))

    monkeypatch.setattr(pipeline, "flush", cancel_after_the_first_batch)
    press_import(customer_import)

    customer_import.refresh_from_db()
    assert (customer_import.status, customer_import.created) == ("cancelled", 2)
    new = Customer.objects.filter(email__startswith="ada").values_list("email", flat=True)
    assert sorted(new) == ["ada0@parts.example", "ada1@parts.example"]
    parts = Job.objects.filter(kind=WritePart.WRITE_JOB)
    assert list(parts.values_list("status", flat=True)) == ["done"] * 4  # each stopped
    assert not customer_import.write_parts.filter(written=True).exists()
    page = manager_client.get(customer_import.get_absolute_url()).content.decode()
    assert "2 customers created and 0 updated before it stopped" in page


@pytest.mark.django_db(transaction=True)
def test_a_part_that_failed_is_run_again_from_its_last_batch(
    settings, manager, manager_client, by_one_part, monkeypatch
):
    _, as_written_whole = by_one_part
    settings.IMPORT_PART_ROWS = 3
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    customer_import = checked_import(manager, "parts.example", 11)
    flush = pipeline.flush

    def out_of_memory_in_part_two(batch, *args):
        if batch[0].line == 7:  # part 2's second batch (rows 5 and 6 are its first)
            raise MemoryError
        flush(batch, *args)

    monkeypatch.setattr(pipeline, "flush", out_of_memory_in_part_two)
    press_import(customer_import)
    customer_import.refresh_from_db()
    assert customer_import.status == "failed"
    assert customer_import.problem == "Part 2 of Import of customers.csv: MemoryError"
    page = manager_client.get(customer_import.get_absolute_url()).content.decode()
    assert "Run again" in page

    monkeypatch.undo()
    manager_client.post(reverse("imports:run_again", args=[customer_import.pk]))

    customer_import.refresh_from_db()
    assert (customer_import.status, customer_import.created, customer_import.updated) == (
        "done", 8, 2,
    )  # fmt: skip
    assert what_was_imported("parts.example") == as_written_whole  # nothing twice


@pytest.mark.django_db(transaction=True)
@pytest.mark.real_worker
@needs_shared_database
def test_two_workers_share_one_import_and_write_what_one_worker_writes(settings, manager, downtown):
    queue_jobs_for_workers(settings)
    alone = checked_import(manager, "one.example", 3_000)
    run_worker(settings)
    press_import(alone)
    run_worker(settings)  # one worker, and parts of 20,000 rows: one part
    shared = checked_import(manager, "shared.example", 3_000)
    run_worker(settings)
    press_import(shared)

    with workers_running(settings, count=2, IMPORT_PART_ROWS="100"):
        wait_for(lambda: CustomerImport.objects.get(pk=shared.pk).status == "done")

    assert what_was_imported("shared.example") == what_was_imported("one.example")
    shared.refresh_from_db()
    assert (shared.created, shared.updated, shared.write_parts.count()) == (2_997, 2, 30)
    parts = Job.objects.filter(kind=WritePart.WRITE_JOB, status=Job.Status.DONE)
    assert parts.values("worker").distinct().count() == 2
    assert tallies.differences() == {}  # the tiles count both imports' customers


@pytest.mark.django_db(transaction=True)
def test_its_page_says_when_its_parts_wait_for_a_worker(
    settings, manager, manager_client, downtown
):
    settings.IMPORT_PART_ROWS = 3
    customer_import = checked_import(manager, "parts.example", 11)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    writing = press_import(customer_import)
    tasks.run_import.call(writing.pk)  # a worker started the writing, then went away
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=1))
    progress_url = reverse("imports:progress", args=[customer_import.pk])

    waiting = manager_client.get(progress_url).json()
    first_part = Job.objects.filter(kind=WritePart.WRITE_JOB).earliest("pk")
    Job.objects.filter(pk=first_part.pk).update(status=Job.Status.RUNNING)
    one_part_running = manager_client.get(progress_url).json()

    assert (waiting["status"], waiting["waiting_for_worker"]) == ("importing", True)
    assert one_part_running["waiting_for_worker"] is False


@pytest.mark.django_db(transaction=True)
@needs_shared_database  # row locks of two connections at once
def test_two_parts_moving_customers_between_stores_at_once_do_not_deadlock(
    tmp_path, manager, downtown, riverside
):
    """Each update changes two months' tally rows, in the opposite order in each part."""
    months = [timezone.make_aware(datetime.datetime(2026, month, 15)) for month in (1, 2)]
    per_part, lines = 400, [HEADER]
    for n in range(2 * per_part):
        customer = make_customer(first_name="Kit", email=f"kit{n}@moving.example",
                                 stores=[riverside])  # fmt: skip
        month = months[(n + (n >= per_part)) % 2]
        Customer.objects.filter(pk=customer.pk).update(created_at=month)
        lines.append(f"Kit,Moved,kit{n}@moving.example,DT01,false,\n")
    tallies.rebuild()
    path = tmp_path / "moving.csv"
    path.write_text("".join(lines))
    options = pipeline.Options(match="email", update=True)
    problems, together = [], threading.Barrier(2)

    def write_part(rows):
        try:
            together.wait()
            pipeline.write(str(path), "moving.csv", options, actor=manager, rows=rows)
        except Exception as problem:  # noqa: BLE001 - reported by the test
            problems.append(repr(problem))
        finally:
            connections.close_all()

    parts = [threading.Thread(target=write_part, args=(rows,))
             for rows in (range(per_part), range(per_part, 2 * per_part))]  # fmt: skip
    for part in parts:
        part.start()
    for part in parts:
        part.join()

    assert problems == []
    assert Customer.objects.filter(stores=downtown, last_name="Moved").count() == 2 * per_part
    assert tallies.differences() == {}


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_last_part_stopped_before_finishing_is_finished_by_run_again(
    settings, manager, manager_client, downtown, monkeypatch
):
    settings.IMPORT_PART_ROWS = 3
    customer_import = checked_import(manager, "parts.example", 11)
    monkeypatch.setattr(tasks, "finish_import", lambda customer_import: 1 / 0)
    press_import(customer_import)
    customer_import.refresh_from_db()
    assert customer_import.status == "failed"
    assert not customer_import.write_parts.filter(written=False).exists()

    monkeypatch.undo()
    manager_client.post(reverse("imports:run_again", args=[customer_import.pk]))

    customer_import.refresh_from_db()
    assert (customer_import.status, customer_import.created) == ("done", 8)


@pytest.mark.django_db(transaction=True)
def test_run_again_waits_for_every_part_to_stop(
    settings, manager, manager_client, downtown, monkeypatch
):
    settings.IMPORT_PART_ROWS = 3
    customer_import = checked_import(manager, "parts.example", 11)
    flush = pipeline.flush

    def out_of_memory_in_part_one(batch, *args):
        if batch[0].line == 2:
            raise MemoryError
        flush(batch, *args)

    monkeypatch.setattr(pipeline, "flush", out_of_memory_in_part_one)
    press_import(customer_import)
    monkeypatch.undo()
    stopping = Job.objects.filter(kind=WritePart.WRITE_JOB).latest("pk")
    Job.objects.filter(pk=stopping.pk).update(status=Job.Status.RUNNING)  # not yet seen stopping

    page = manager_client.get(customer_import.get_absolute_url()).content.decode()
    refused = manager_client.post(reverse("imports:run_again", args=[customer_import.pk]))

    assert "Run again" not in page
    assert refused.status_code == 302
    customer_import.refresh_from_db()
    assert customer_import.status == "failed"
    Job.objects.filter(pk=stopping.pk).update(status=Job.Status.DONE)
    page = manager_client.get(customer_import.get_absolute_url()).content.decode()
    assert "Run again" in page


@pytest.mark.django_db(transaction=True)
def test_a_part_taken_over_is_not_written_by_the_worker_that_seemed_dead(
    settings, manager, downtown
):
    settings.IMPORT_PART_ROWS = 3
    customer_import = checked_import(manager, "parts.example", 11)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued
    writing = press_import(customer_import)
    tasks.run_import.call(writing.pk)
    Job.objects.filter(pk=writing.pk).update(status=Job.Status.QUEUED)  # as a takeover does
    tasks.run_import.call(writing.pk)
    assert Job.objects.filter(kind=WritePart.WRITE_JOB).count() == 4  # one job a part

    part = customer_import.write_parts.get(number=0)
    seemed_dead = WritePart.objects.get(pk=part.pk)  # as it read the part, then paused
    first = Job.objects.filter(kind=WritePart.WRITE_JOB).earliest("pk")
    tasks.write_part.call(first.pk)  # its successor wrote the part
    Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING)
    first.refresh_from_db()
    tasks.write_one_part(first, seemed_dead)  # it wakes up

    assert Customer.objects.filter(email__endswith="@parts.example").count() == 3 + 2
    assert customer_import.write_parts.get(number=0).created == 3
