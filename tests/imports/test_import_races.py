"""Two managers, or a manager and a job, acting on one import at once (the attacker's
second visit, findings 5 to 8): every step moves the import only from the state it was
in, the writing checks that state under a lock before each batch, an import is its
uploader's alone, and the error report is the dry run's, never a second check."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.models import AuditEvent
from customers.models import Customer
from imports import pipeline, tasks
from imports.checking import RowChecker
from imports.models import CustomerImport
from tests.factories import make_user

pytestmark = pytest.mark.django_db

Status = CustomerImport.Status
HEADER = "Vorname,Nachname,Email,Stores\n"  # names this back office does not know
GOOD_ROWS = "".join(f"Ada{n},Lovelace,ada{n}@example.com,DT01\n" for n in range(5))
MAPPING = {"column_0": "first_name", "column_1": "last_name", "column_2": "email",
           "column_3": "stores"}  # fmt: skip
# Mapping the email column to the phone: every row then lacks an email.
BROKEN_MAPPING = {**MAPPING, "column_2": "phone"}


@pytest.fixture
def other_manager(downtown):
    """A manager of Downtown alone: a chain-wide manager sees every import."""
    return make_user(
        "other", groups=["Managers"], stores=[downtown], first_name="Otto", last_name="Other"
    )


@pytest.fixture
def checked_import(manager_client, downtown, run_jobs):
    """Five good rows, mapped and checked: ready to import."""
    data = {"match": "email", "encoding": "utf-8", "date_format": "%Y-%m-%d"}
    data["upload"] = SimpleUploadedFile("mapped.csv", (HEADER + GOOD_ROWS).encode())
    manager_client.post(reverse("imports:upload"), data)
    job = CustomerImport.objects.get()
    run_jobs(lambda: manager_client.post(reverse("imports:mapping", args=[job.pk]), MAPPING))
    job.refresh_from_db()
    assert job.status == Status.CHECKED
    return job


def url(name, job):
    return reverse(f"imports:{name}", args=[job.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


class TestEachStepMovesOnlyFromItsState:
    def test_the_columns_cannot_be_chosen_again_once_import_is_pressed(
        self, client, manager_client, checked_import, run_jobs
    ):
        manager_client.post(url("commit", checked_import))  # the worker is busy: queued

        response = run_jobs(
            lambda: manager_client.post(url("mapping", checked_import), BROKEN_MAPPING, follow=True)
        )

        checked_import.refresh_from_db()
        assert checked_import.status == Status.QUEUED
        assert checked_import.mapping["Email"] == "email"
        assert "its columns can no longer be changed" in " ".join(messages_of(response))
        tasks.run_import.call(checked_import.job.pk)
        assert Customer.objects.count() == 5

    def test_import_cannot_be_pressed_while_the_columns_are_checked_again(
        self, manager_client, checked_import
    ):
        manager_client.post(url("mapping", checked_import), BROKEN_MAPPING)  # no worker yet
        checked_import.refresh_from_db()
        assert (checked_import.samples, checked_import.rows_total) == ({}, None)  # no old counts

        response = manager_client.post(url("commit", checked_import), follow=True)

        checked_import.refresh_from_db()
        assert checked_import.status == Status.CHECKING
        assert "not ready to run" in " ".join(messages_of(response))
        tasks.check_import.call(checked_import.job.pk)
        checked_import.refresh_from_db()
        assert checked_import.status == Status.REFUSED
        assert not Customer.objects.exists()

    def test_the_columns_of_an_import_written_cannot_be_posted_again(
        self, manager_client, checked_import, run_jobs
    ):
        run_jobs(lambda: manager_client.post(url("commit", checked_import)))

        response = run_jobs(
            lambda: manager_client.post(url("mapping", checked_import), MAPPING, follow=True)
        )

        checked_import.refresh_from_db()
        assert (checked_import.status, checked_import.problem) == (Status.DONE, "")
        assert response.status_code == 200
        assert Customer.objects.count() == 5

    def test_import_pressed_twice_writes_once(self, manager_client, checked_import, run_jobs):
        manager_client.post(url("commit", checked_import))
        second = manager_client.post(url("commit", checked_import), follow=True)

        tasks.run_import.call(checked_import.job.pk)
        tasks.run_import.call(checked_import.job.pk)  # the second press's job, had it been queued

        assert "not ready to run" in " ".join(messages_of(second))
        assert Customer.objects.count() == 5

    def test_a_queued_import_cancelled_never_starts(self, manager_client, checked_import):
        manager_client.post(url("commit", checked_import))
        page = manager_client.get(url("detail", checked_import)).content.decode()
        assert "Cancel the import" in page  # no worker has it yet: it can still be stopped

        manager_client.post(url("cancel", checked_import))
        tasks.run_import.call(checked_import.job.pk)

        checked_import.refresh_from_db()
        assert checked_import.status == Status.CANCELLED
        assert not Customer.objects.exists()


class TestTheWritingChecksTheStateBeforeEachBatch:
    """Two rows a batch; something happens once the first batch is written."""

    @pytest.fixture(autouse=True)
    def small_batches(self, monkeypatch):
        monkeypatch.setattr("imports.pipeline.BATCH_SIZE", 2)

    def after_the_first_batch(self, monkeypatch, action):
        flush = pipeline.flush

        def flush_then_act(batch, *args):
            flush(batch, *args)
            if batch[-1].line == 3:  # rows 2 and 3 are in
                action()

        monkeypatch.setattr(pipeline, "flush", flush_then_act)

    def test_a_file_moved_back_to_checking_is_not_written_on(
        self, manager_client, checked_import, monkeypatch
    ):
        """What the old remap did behind a running import: its state moved under it."""
        manager_client.post(url("commit", checked_import))
        self.after_the_first_batch(
            monkeypatch,
            lambda: CustomerImport.objects.filter(pk=checked_import.pk).update(
                status=Status.CHECKING
            ),
        )

        tasks.run_import.call(checked_import.job.pk)

        assert Customer.objects.count() == 2
        checked_import.refresh_from_db()
        assert checked_import.status == Status.CHECKING  # not marked done behind its back

    def test_cancel_stops_before_the_next_batch(self, manager_client, checked_import, monkeypatch):
        manager_client.post(url("commit", checked_import))
        self.after_the_first_batch(
            monkeypatch, lambda: manager_client.post(url("cancel", checked_import))
        )

        tasks.run_import.call(checked_import.job.pk)

        checked_import.refresh_from_db()
        assert (checked_import.status, checked_import.created) == (Status.CANCELLED, 2)
        assert Customer.objects.count() == 2


class TestAnImportIsItsUploadersAndTheChains:
    @pytest.mark.parametrize(
        ("name", "method"),
        [("detail", "get"), ("progress", "get"), ("errors", "get"), ("mapping", "get"),
         ("mapping", "post"), ("commit", "post"), ("cancel", "post")],
    )  # fmt: skip
    def test_another_manager_is_told_it_does_not_exist(
        self, client, checked_import, other_manager, name, method
    ):
        client.force_login(other_manager)

        response = getattr(client, method)(url(name, checked_import), MAPPING)

        assert response.status_code == 404
        checked_import.refresh_from_db()
        assert checked_import.status == Status.CHECKED

    def test_the_list_shows_ones_own(self, client, checked_import, other_manager):
        client.force_login(other_manager)

        page = client.get(reverse("imports:list")).content.decode()

        assert "mapped.csv" not in page and "No imports yet." in page

    def test_the_customers_written_are_the_committers(
        self, manager_client, manager, checked_import, run_jobs
    ):
        run_jobs(lambda: manager_client.post(url("commit", checked_import)))

        checked_import.refresh_from_db()
        assert checked_import.committed_by == manager
        events = AuditEvent.objects.filter(action="create")
        assert events.count() == 5 and {event.user for event in events} == {manager}


def test_the_error_report_is_the_dry_runs_not_a_second_check(
    manager_client, downtown, run_jobs, monkeypatch
):
    content = "first_name,last_name,email,stores\nAda,L,not-an-email,DT01\nBo,M,bo@example.com,ZZ\n"
    data = {"match": "email", "encoding": "utf-8", "date_format": "%Y-%m-%d"}
    data["upload"] = SimpleUploadedFile("bad.csv", content.encode())
    run_jobs(lambda: manager_client.post(reverse("imports:upload"), data))
    job = CustomerImport.objects.get()

    def no_second_check(*args, **kwargs):
        raise AssertionError("the report checked the file again")

    monkeypatch.setattr(RowChecker, "check_batch", no_second_check)
    response = manager_client.get(url("errors", job))

    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["row", "first_name", "last_name", "email", "stores", "errors"]
    assert [row[0] for row in rows[1:]] == ["2", "3"]
    assert "email: Enter a valid email address." in rows[1][-1]
    assert rows[2][-1] == "stores: No store has the code ZZ."
