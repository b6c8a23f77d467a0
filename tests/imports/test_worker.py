"""The import's jobs run in a real worker process (``db_worker``, or ``rqworker`` with
REDIS_URL), as in production."""

import pytest
from django.core.files.base import ContentFile

from customers.models import Customer
from imports import tasks
from imports.models import CustomerImport
from jobs.running import start
from tests.workers import queue_jobs_for_workers, real_worker, run_worker

pytestmark = [pytest.mark.django_db(transaction=True), *real_worker]


def test_a_worker_process_checks_and_imports_a_file(settings, manager, downtown):
    queue_jobs_for_workers(settings)
    job = CustomerImport(name="customers.csv", created_by=manager)
    job.file.save(
        "customers.csv",
        ContentFile(b"first_name,last_name,email,stores\nAda,Lovelace,ada@example.com,DT01\n"),
    )

    start(tasks.check_import, job, kind=CustomerImport.CHECK_JOB)
    run_worker(settings)
    job.refresh_from_db()
    assert (job.status, job.to_create) == ("checked", 1)

    CustomerImport.objects.filter(pk=job.pk).update(status="queued")
    start(tasks.run_import, job, kind=CustomerImport.WRITE_JOB)
    run_worker(settings)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)
    assert Customer.objects.get().email == "ada@example.com"
