"""An export written by a real worker process (``db_worker``, or ``rqworker`` with
REDIS_URL), as in production: the list rebuilt there from the person's query string and
session."""

import csv
import io

import pytest
from django.urls import reverse

from backoffice.models import Export
from tests.factories import make_customer
from tests.workers import queue_jobs_for_workers, real_worker, run_worker

pytestmark = [pytest.mark.django_db(transaction=True), *real_worker]


def test_a_worker_process_writes_the_export_of_the_top_bar_stores_list(
    settings, manager_client, downtown, riverside
):
    queue_jobs_for_workers(settings)
    make_customer(first_name="Ada", stores=[downtown])
    make_customer(first_name="Bo", stores=[riverside])
    manager_client.post(reverse("stores:choose"), {"store": riverside.pk})

    manager_client.post(reverse("customers:export"))
    assert Export.objects.get().status == "queued"
    run_worker(settings)

    export = Export.objects.get()
    download = manager_client.get(reverse("export_download", args=[export.pk]))
    rows = csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode()))
    assert [row["first_name"] for row in rows] == ["Bo"]
