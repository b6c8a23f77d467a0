"""The import's jobs run in a real worker process (``manage.py db_worker``), as in
production: on PostgreSQL, whose test database another process can open (SQLite's test
database lives in this process's memory)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from customers.models import Customer
from imports import tasks
from imports.models import CustomerImport

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process needs a shared database"
    ),
]


def run_worker(settings):
    database = connection.settings_dict
    url = (
        f"postgresql://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
        check=True,
        timeout=120,
        capture_output=True,
    )


def test_a_worker_process_checks_and_imports_a_file(settings, manager, downtown):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = CustomerImport(name="customers.csv", created_by=manager)
    job.file.save(
        "customers.csv",
        ContentFile(b"first_name,last_name,email,stores\nAda,Lovelace,ada@example.com,DT01\n"),
    )

    tasks.check_import.enqueue(job.pk)
    run_worker(settings)
    job.refresh_from_db()
    assert (job.status, job.to_create) == ("checked", 1)

    CustomerImport.objects.filter(pk=job.pk).update(status="queued")
    tasks.run_import.enqueue(job.pk)
    run_worker(settings)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)
    assert Customer.objects.get().email == "ada@example.com"
