"""A job whose worker died (no heartbeat for JOB_STALE_AFTER) is taken over by the next
worker that looks, and fails for good after JOB_MAX_ATTEMPTS, saying so on its page."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Export
from customers.models import Customer
from imports import tasks
from imports.models import CustomerImport
from jobs.models import Job, Worker
from jobs.running import fail, start, take_over_stale_jobs
from tests.factories import make_customer

# On PostgreSQL the export is read through a connection of its own (COPY): what a test
# makes must be committed for it to see.
pytestmark = pytest.mark.django_db(transaction=True)

EXPORT_URL = reverse("customers:export")


@pytest.fixture
def export_of_a_dead_worker(manager_client, downtown, run_jobs, monkeypatch):
    """An export whose worker died mid-job: running, its last heartbeat 5 minutes old."""
    make_customer(first_name="Ada", stores=[downtown])
    monkeypatch.setattr("jobs.running.queue_on_commit", lambda job: None)  # no worker yet
    manager_client.post(f"{EXPORT_URL}?store=all")
    monkeypatch.undo()
    job = Job.objects.get()
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, worker="till-3:4242", heartbeat_at=long_ago
    )
    Export.objects.update(status=Export.Status.RUNNING, rows_done=10_000)
    return Export.objects.get()


def test_the_next_worker_takes_over_and_finishes_it(export_of_a_dead_worker, run_jobs):
    taken = run_jobs(take_over_stale_jobs)

    job = Job.objects.get()
    assert [j.pk for j in taken] == [job.pk]
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert "Its worker till-3:4242 stopped" in job.problem
    export = Export.objects.get()
    assert export.status == Export.Status.DONE and export.rows_done == 1
    assert b"Ada" in export.file.read()


def test_a_job_beating_lately_is_left_to_its_worker(export_of_a_dead_worker, run_jobs):
    Job.objects.update(heartbeat_at=timezone.now())

    assert run_jobs(take_over_stale_jobs) == []
    assert Job.objects.get().status == Job.Status.RUNNING


def test_after_the_last_attempt_it_fails_and_its_page_offers_run_again(
    export_of_a_dead_worker, manager_client, settings, run_jobs
):
    Job.objects.update(attempts=settings.JOB_MAX_ATTEMPTS)

    run_jobs(take_over_stale_jobs)

    assert Job.objects.get().status == Job.Status.FAILED
    page = manager_client.get(export_of_a_dead_worker.get_absolute_url()).content.decode()
    assert "Its worker stopped during each of its 3 attempts" in page
    assert "Run again" in page

    run_jobs(
        lambda: manager_client.post(reverse("export_run_again", args=[export_of_a_dead_worker.pk]))
    )

    export = Export.objects.get()
    assert export.status == Export.Status.DONE and b"Ada" in export.file.read()
    assert Job.objects.filter(status=Job.Status.DONE).count() == 1


def test_two_workers_looking_at_once_take_it_over_once(export_of_a_dead_worker, monkeypatch):
    queued = []
    monkeypatch.setattr("jobs.running.queue_on_commit", queued.append)
    stale = list(Job.objects.stale())
    monkeypatch.setattr(Job.objects, "stale", lambda: stale)  # both read it as stale

    first, second = take_over_stale_jobs(), take_over_stale_jobs()

    assert (len(first), len(second), len(queued)) == (1, 0, 1)


class TestCheckWorkers:
    def test_no_worker_ever_seen_exits_1(self, db):
        with pytest.raises(CommandError, match="No worker has been seen for 5 minutes"):
            call_command("check_workers")

    def test_a_worker_seen_6_minutes_ago_exits_1(self, db):
        Worker.objects.create(
            name="till-3:4242", seen_at=timezone.now() - datetime.timedelta(minutes=6)
        )
        with pytest.raises(CommandError) as stopped:
            call_command("check_workers")
        assert stopped.value.returncode == 1

    def test_a_worker_seen_lately_passes(self, db, capsys):
        Worker.objects.create(name="till-3:4242")

        call_command("check_workers")

        assert "1 worker(s) seen in the last 5 minutes" in capsys.readouterr().out


def test_a_worker_thought_dead_cannot_fail_the_job_another_now_runs(export_of_a_dead_worker):
    seen_by_the_slow_worker = Job.objects.get()
    Job.objects.update(worker="till-4:777", heartbeat_at=timezone.now())  # taken over

    fail(seen_by_the_slow_worker, "The slow worker's database connection broke.")

    assert Job.objects.get().status == Job.Status.RUNNING
    assert Export.objects.get().status == Export.Status.RUNNING


class TestAnImportWhoseWorkersKeptDying:
    @pytest.fixture
    def failed_import(self, manager, downtown, settings, run_jobs):
        """Checked, then written by workers that died: 2 rows of 3 were committed."""
        customer_import = CustomerImport(
            name="customers.csv", created_by=manager, committed_by=manager
        )
        customer_import.file.save(
            "customers.csv",
            ContentFile(
                "first_name,last_name,email,stores\n"
                "Ada,Lovelace,ada@example.com,DT01\nBo,Brown,bo@example.com,DT01\n"
                "Cy,Young,cy@example.com,DT01\n"
            ),
        )
        run_jobs(lambda: start(tasks.check_import, customer_import, kind="Import check"))
        make_customer(first_name="Ada", last_name="Lovelace", email="ada@example.com")
        make_customer(first_name="Bo", last_name="Brown", email="bo@example.com")
        CustomerImport.objects.filter(pk=customer_import.pk).update(
            status=CustomerImport.Status.IMPORTING, created=2, rows_done=2
        )
        customer_import.write_parts.create(
            number=0, first_row=0, row_count=3, rows_done=2, created=2, written_through=3
        )
        job = Job.objects.create(
            kind="Import", task_path=tasks.run_import.module_path, subject=customer_import,
            status=Job.Status.RUNNING, attempts=settings.JOB_MAX_ATTEMPTS, worker="till-3:1",
            heartbeat_at=timezone.now() - datetime.timedelta(minutes=5),
        )  # fmt: skip
        take_over_stale_jobs()
        customer_import.refresh_from_db()
        assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
        return customer_import

    def test_its_page_says_so_and_run_again_writes_the_rest(
        self, failed_import, manager_client, run_jobs
    ):
        page = manager_client.get(failed_import.get_absolute_url()).content.decode()
        assert failed_import.status == CustomerImport.Status.FAILED
        assert "Its worker stopped during each of its 3 attempts" in page
        assert "Run again" in page

        run_jobs(lambda: manager_client.post(reverse("imports:run_again", args=[failed_import.pk])))

        failed_import.refresh_from_db()
        assert (failed_import.status, failed_import.created) == ("done", 3)
        assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["Ada", "Bo", "Cy"]

    def test_an_import_that_did_not_fail_is_not_run_again(
        self, failed_import, manager_client, run_jobs
    ):
        CustomerImport.objects.filter(pk=failed_import.pk).update(status="done")

        response = run_jobs(
            lambda: manager_client.post(
                reverse("imports:run_again", args=[failed_import.pk]), follow=True
            )
        )

        assert "did not fail: there is nothing to run again" in response.content.decode()
        assert Customer.objects.count() == 2
