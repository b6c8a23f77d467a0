"""A job whose worker died (no heartbeat for JOB_STALE_AFTER) is taken over by the next
worker that looks, and fails for good after JOB_MAX_ATTEMPTS, saying so on its page."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Export
from jobs.models import Job, Worker
from jobs.running import fail, take_over_stale_jobs
from tests.factories import make_customer

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
