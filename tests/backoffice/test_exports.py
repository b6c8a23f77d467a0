"""Exports too long to stream (or any, when asked) are written by a background job to a
file that only the person who asked may download, for 24 hours."""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backoffice.models import Export
from jobs.models import Job
from tests.factories import make_customer, make_user

# On PostgreSQL the export is read through a connection of its own (COPY): what a test
# makes must be committed for it to see.
pytestmark = pytest.mark.django_db(transaction=True)

EXPORT_URL = reverse("customers:export")


@pytest.fixture(autouse=True)
def short_stream_limit(settings):
    """Lists of more than three rows count as long."""
    settings.EXPORT_STREAM_LIMIT = 3


@pytest.fixture
def customers(downtown, riverside):
    made = [make_customer(first_name=f"Ada{n}", stores=[downtown]) for n in range(3)]
    made.append(make_customer(first_name="Bo", stores=[downtown], notes="=HYPERLINK(1)"))
    made.append(make_customer(first_name="Cy", stores=[riverside]))
    return made


def downloaded_rows(response):
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_a_short_list_still_downloads_at_once(manager_client, customers):
    response = manager_client.get(EXPORT_URL, {"store": "all", "q": "Ada1"})

    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    assert [row["first_name"] for row in downloaded_rows(response)] == ["Ada1"]
    assert not Export.objects.exists()


def test_a_long_list_is_written_in_the_background_for_the_person_who_asked(
    manager_client, manager, customers, run_jobs
):
    offer = manager_client.get(EXPORT_URL, {"store": "DT01"})
    assert offer.status_code == 200
    assert "more than 3 rows" in offer.content.decode()
    assert not Export.objects.exists()

    started = run_jobs(lambda: manager_client.post(f"{EXPORT_URL}?store=DT01"))

    export = Export.objects.get()
    assert (export.created_by, export.title, export.status) == (manager, "Customers", "done")
    assert started.url == export.get_absolute_url()
    assert "Download customers-" in manager_client.get(started.url).content.decode()
    download = manager_client.get(reverse("export_download", args=[export.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="customers-')
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = downloaded_rows(download)
    assert sorted(row["first_name"] for row in rows) == ["Ada0", "Ada1", "Ada2", "Bo"]
    assert [row["notes"] for row in rows if row["first_name"] == "Bo"] == ["'=HYPERLINK(1)"]


def test_the_job_exports_the_list_of_the_top_bar_store(
    manager_client, customers, riverside, run_jobs
):
    manager_client.post(reverse("stores:choose"), {"store": riverside.pk})

    run_jobs(lambda: manager_client.post(EXPORT_URL))

    export = Export.objects.get()
    download = manager_client.get(reverse("export_download", args=[export.pk]))
    assert [row["first_name"] for row in downloaded_rows(download)] == ["Cy"]


def test_any_export_may_be_written_in_the_background(manager_client, customers, run_jobs):
    run_jobs(lambda: manager_client.post(f"{EXPORT_URL}?store=all&q=Bo"))

    export = Export.objects.get()
    assert (export.rows_total, export.rows_done) == (1, 1)
    progress = manager_client.get(reverse("export_progress", args=[export.pk])).json()
    assert progress | {"status_display": ""} == {
        "status": "done",
        "status_display": "",
        "rows_done": 1,
        "rows_total": 1,
        "running": False,
        "waiting_for_worker": False,
        "workers_busy": 0,
        "worker_command": "db_worker",
    }


@pytest.mark.parametrize("who", ["another_manager", "superuser"])
def test_no_one_else_sees_or_downloads_an_export(
    client, manager_client, customers, run_jobs, who, request
):
    run_jobs(lambda: manager_client.post(EXPORT_URL))
    export = Export.objects.get()
    other = (
        make_user("mo", groups=["Managers"])
        if who == "another_manager"
        else request.getfixturevalue("superuser")
    )
    client.force_login(other)

    for name in ("export_detail", "export_progress", "export_download"):
        assert client.get(reverse(name, args=[export.pk])).status_code == 404
    assert "Export of Customers" not in client.get(reverse("export_list")).content.decode()


def test_the_exports_list_shows_ones_own(manager_client, customers, run_jobs):
    run_jobs(lambda: manager_client.post(EXPORT_URL))

    page = manager_client.get(reverse("export_list")).content.decode()

    assert "Your exports" in page
    assert "Customers" in page
    assert "5 of 5" in page


def test_files_are_removed_after_24_hours(manager_client, customers, run_jobs, media_root):
    run_jobs(lambda: manager_client.post(EXPORT_URL))
    export = Export.objects.get()
    stored = media_root / export.file.name
    assert stored.exists()
    Export.objects.update(created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1))
    out = io.StringIO()

    call_command("remove_expired_files", stdout=out)

    assert "exports: removed 1 file.\n" in out.getvalue()
    assert not stored.exists()
    assert Export.objects.get().status == "expired"
    assert manager_client.get(reverse("export_download", args=[export.pk])).status_code == 404
    page = manager_client.get(export.get_absolute_url()).content.decode()
    assert "This file was removed 24 hours after it was asked for." in page


def test_an_export_that_stops_half_way_leaves_no_file(
    manager_client, customers, run_jobs, media_root
):
    def failing(file_format, table_class, queryset, out):
        out.write(b"id,first_name\r\n")
        yield 1
        raise OSError("disk full")

    with mock.patch("backoffice.tasks.write_export_file", side_effect=failing):
        run_jobs(lambda: manager_client.post(EXPORT_URL))

    export = Export.objects.get()
    assert (export.status, export.file.name) == ("failed", "")
    assert not list(media_root.glob("exports/*"))
    page = manager_client.get(export.get_absolute_url()).content.decode()
    assert "The export stopped: disk full" in page


def test_a_very_long_query_string_is_kept_whole(manager_client, customers, run_jobs):
    long_search = "x" * 5000

    started = run_jobs(lambda: manager_client.post(f"{EXPORT_URL}?store=all&notes={long_search}"))

    assert started.status_code == 302
    assert Export.objects.get().query.endswith(long_search)


@pytest.mark.django_db(transaction=False)  # its job is never run: no worker
def test_one_export_at_a_time_each(manager_client, manager, customers):
    """The attacker's second visit, finding 18: 15 exports asked for in 0.5 s made 92 MB
    of files, queued ahead of everyone else's jobs."""
    first = manager_client.post(f"{EXPORT_URL}?store=all")  # no worker: it waits

    second = manager_client.post(f"{EXPORT_URL}?store=all&q=Bo", follow=True)

    export = Export.objects.get()
    assert first.url == second.redirect_chain[0][0] == export.get_absolute_url()
    assert "Your export of Customers is still waiting for a worker or being written" in (
        second.content.decode()
    )


def test_another_export_once_the_first_is_ready(manager_client, customers, run_jobs):
    run_jobs(lambda: manager_client.post(f"{EXPORT_URL}?store=all"))

    run_jobs(lambda: manager_client.post(f"{EXPORT_URL}?store=all&q=Bo"))

    assert Export.objects.filter(status="done").count() == 2


def test_an_export_stuck_for_a_day_no_longer_counts(manager_client, customers):
    manager_client.post(f"{EXPORT_URL}?store=all")
    Export.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    manager_client.post(f"{EXPORT_URL}?store=all")

    assert Export.objects.count() == 2


def task_id_of(export):
    """The job writing ``export`` (the queue also holds the nightly retention job)."""
    export.refresh_from_db()
    return Q(pk=export.job.task_id)


class TestWhatAJobWaitingForAWorkerSays:
    """The attacker's second visit, finding 15: with one long job running, every other
    job's page said that no worker was running."""

    @pytest.fixture
    def waiting_export(self, settings, manager_client, customers, run_jobs):
        """Queued in the database a minute ago, and no worker has taken it."""
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        run_jobs(lambda: manager_client.post(f"{EXPORT_URL}?store=all"))
        DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=1))
        return Export.objects.get()

    def page_of(self, client, export):
        return client.get(export.get_absolute_url()).content.decode()

    def test_no_worker_at_all(self, manager_client, waiting_export):
        page = self.page_of(manager_client, waiting_export)
        progress = manager_client.get(reverse("export_progress", args=[waiting_export.pk]))

        assert 'id="waiting-for-worker">' in page and "none is running" in page
        assert progress.json()["waiting_for_worker"] is True
        assert progress.json()["workers_busy"] == 0

    def test_every_worker_busy_with_a_long_job(self, manager_client, waiting_export):
        Job.objects.create(  # another job, which a worker has run for 20 minutes
            kind="Import", task_path="imports.tasks.run_import", status=Job.Status.RUNNING,
            subject=make_user(), started_at=timezone.now() - datetime.timedelta(minutes=20),
            heartbeat_at=timezone.now() - datetime.timedelta(seconds=5),
        )  # fmt: skip

        page = self.page_of(manager_client, waiting_export)
        progress = manager_client.get(reverse("export_progress", args=[waiting_export.pk]))

        assert 'class="alert alert-warning d-none" id="waiting-for-worker"' in page
        assert 'Every worker is busy with other jobs (<span id="jobs-running">1</span>' in page
        assert progress.json()["workers_busy"] == 1

    def test_a_job_marked_running_for_hours_had_its_worker_die(
        self, manager_client, waiting_export
    ):
        Job.objects.create(  # its worker's last heartbeat was hours ago
            kind="Import", task_path="imports.tasks.run_import", status=Job.Status.RUNNING,
            subject=make_user(), started_at=timezone.now() - datetime.timedelta(hours=3),
            heartbeat_at=timezone.now() - datetime.timedelta(hours=2),
        )  # fmt: skip

        assert "none is running" in self.page_of(manager_client, waiting_export)
