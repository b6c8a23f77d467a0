"""/jobs/: every background job, of every kind, for managers watching the workers."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Export
from imports.models import CustomerImport, WritePart
from jobs.models import Job

JOBS_URL = reverse("jobs:list")


def test_a_manager_sees_each_jobs_state_attempts_worker_heartbeat_and_progress(
    manager_client, manager
):
    export = Export.objects.create(title="Customers", list_view="x", filename="c.csv",
                                   created_by=manager)  # fmt: skip
    beat = timezone.now() - datetime.timedelta(seconds=30)
    Job.objects.create(
        kind="Export", task_path="backoffice.tasks.write_export", subject=export,
        status=Job.Status.RUNNING, attempts=2, worker="till-3:4242", heartbeat_at=beat,
        done=20_000, total=30_004,
    )  # fmt: skip
    Job.objects.create(
        kind="Import check", task_path="imports.tasks.check_import", subject=export,
        status=Job.Status.FAILED, attempts=3, problem="Its worker stopped during each of its 3",
    )  # fmt: skip

    page = manager_client.get(JOBS_URL).content.decode()

    for shown in ("Export", "Export of Customers", "Running", "till-3:4242", "20,000 of 30,004",
                  timezone.localtime(beat).strftime("%Y-%m-%d %H:%M:%S"), "Import check",
                  "Failed", "Its worker stopped during each of its 3"):  # fmt: skip
        assert shown in page


def test_store_staff_may_not_see_it(clerk_client):
    assert clerk_client.get(JOBS_URL).status_code == 403


def test_a_page_of_an_imports_parts_costs_the_queries_of_one(manager_client, manager):
    customer_import = CustomerImport.objects.create(name="customers.csv", created_by=manager)

    def page_with_parts(count):
        for part in WritePart.cut(customer_import, count * 10, 10):
            Job.objects.create(kind=WritePart.WRITE_JOB, task_path="x", subject=part)
        with CaptureQueriesContext(connection) as queries:
            page = manager_client.get(JOBS_URL).content.decode()
        Job.objects.all().delete()
        customer_import.write_parts.all().delete()
        return page, len(queries)

    one, queries_for_one = page_with_parts(1)
    ten, queries_for_ten = page_with_parts(10)

    assert f"Part 1 of import #{customer_import.pk}" in one
    assert f"Part 10 of import #{customer_import.pk}" in ten
    assert queries_for_ten == queries_for_one
