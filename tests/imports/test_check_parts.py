"""A big file's check is split into parts, a job each, which any worker takes: the findings
are the same as checking the whole file in one go, repeats across parts included."""

import gzip

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from imports import tasks
from imports.models import CheckPart, CustomerImport
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

ROWS = [
    "Ada,Lovelace,ada@example.com,ID-1,DT01",
    "Bob,Known,known@example.com,,DT01",  # a customer already: skipped, claims nothing
    "Cy,Young,cy@example.com,ID-2,DT01",
    "Dee,Broken,not-an-email,,DT01",
    "Eve,Again,ADA@example.com,,DT01",  # row 1's email, two parts later
    "Fay,Twin,fay@example.com,ID-2,DT01",  # row 3's ID number
    "Gus,Known,known@example.com,,DT01",  # skipped again: no repeat of a skipped row
    "Hal,Halley,hal@example.com,,DT01",
    "Ivy,Case,ivy@example.com,id-1,DT01",  # row 1's ID number, in other case
    "Jon,Doe,jon@example.com,,DT01",
    "Kim,Last,kim@example.com,,DT01",
]
FILE = ("first_name,last_name,email,id_number,stores\n" + "\n".join(ROWS) + "\n").encode()


def checked_import(manager, content=FILE):
    customer_import = CustomerImport(name="customers.csv", created_by=manager)
    customer_import.file.save("customers.csv", ContentFile(content))
    start(tasks.check_import, customer_import, kind=CustomerImport.CHECK_JOB)
    return customer_import


def findings(customer_import):
    customer_import.refresh_from_db()
    with gzip.open(customer_import.checked_path, "rt") as kept:
        kept_rows = kept.read()
    return {
        "status": customer_import.status,
        "counts": (
            customer_import.to_create, customer_import.to_update, customer_import.to_skip,
            customer_import.rows_total, customer_import.rows_done,
        ),
        "errors": customer_import.errors,
        "error_count": customer_import.error_count,
        "samples": customer_import.samples,
        "kept": kept_rows,
        "report": customer_import.error_report_path.read_bytes(),
    }  # fmt: skip


@pytest.fixture
def known(downtown):
    return make_customer(first_name="Bob", email="known@example.com", stores=[downtown])


@pytest.mark.django_db(transaction=True)  # each part's job is queued once its caller commits
def test_parts_find_what_the_whole_file_finds(settings, manager, known):
    whole = checked_import(manager)
    settings.IMPORT_PART_ROWS = 3

    in_parts = checked_import(manager)

    assert findings(in_parts) == findings(whole)
    assert in_parts.check_parts.count() == 4
    assert Job.objects.filter(kind=CheckPart.CHECK_JOB, status=Job.Status.DONE).count() == 4
    errors = {(line, column): message for line, column, _, message in in_parts.errors}
    assert errors[(6, "email")] == "The same email address as row 2."
    assert errors[(7, "id_number")] == "The same customer ID number as row 4."
    assert errors[(10, "id_number")] == "The same customer ID number as row 2."
    assert (in_parts.status, in_parts.to_create, in_parts.to_skip) == ("refused", 5, 2)
    assert not any(part.path.exists() for part in in_parts.check_parts.all())


@pytest.mark.django_db(transaction=True)
def test_a_part_that_fails_fails_the_check_which_runs_again_whole(
    settings, manager, manager_client, known, monkeypatch
):
    whole = checked_import(manager)
    settings.IMPORT_PART_ROWS = 3
    real = tasks.pipeline.check_part

    def out_of_memory_in_part_three(*args, rows=None, **kwargs):
        if rows.start == 6:
            raise MemoryError
        return real(*args, rows=rows, **kwargs)

    monkeypatch.setattr(tasks.pipeline, "check_part", out_of_memory_in_part_three)
    in_parts = checked_import(manager)
    in_parts.refresh_from_db()
    assert in_parts.status == "failed"
    assert in_parts.problem == "Part 3 of Import of customers.csv: MemoryError"
    page = manager_client.get(in_parts.get_absolute_url()).content.decode()
    assert "Run again" in page

    monkeypatch.undo()
    manager_client.post(reverse("imports:run_again", args=[in_parts.pk]))

    assert findings(in_parts) == findings(whole)


def many_rows(count):
    lines = [f"Ada{n},Lovelace{n},ada{n}@example.com,,DT01" for n in range(count)]
    lines[-1] = "Ada0,Again,ADA0@example.com,,DT01"  # the first row's email, parts later
    return ("first_name,last_name,email,id_number,stores\n" + "\n".join(lines) + "\n").encode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.real_worker
@needs_shared_database
def test_two_workers_share_one_check_and_find_what_one_worker_finds(settings, manager, downtown):
    queue_jobs_for_workers(settings)
    content = many_rows(4_000)
    alone = checked_import(manager, content)
    run_worker(settings)  # one worker, and parts of 20,000 rows: one part
    shared = checked_import(manager, content)

    with workers_running(settings, count=2, IMPORT_PART_ROWS="100"):
        wait_for(lambda: CustomerImport.objects.get(pk=shared.pk).status != "checking")

    assert findings(shared) == findings(alone)
    assert findings(shared)["errors"] == [
        [4001, "email", "ADA0@example.com", "The same email address as row 2."]
    ]
    parts = Job.objects.filter(kind=CheckPart.CHECK_JOB, status=Job.Status.DONE)
    assert parts.count() == 40
    assert parts.values("worker").distinct().count() == 2
