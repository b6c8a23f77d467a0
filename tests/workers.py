"""Running background jobs in a real worker process (``manage.py db_worker``), as in
production: on PostgreSQL, whose test database another process can open (SQLite's test
database lives in this process's memory)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parents[1]

needs_shared_database = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker process needs a shared database"
)


def database_url():
    """The test database, for another process."""
    database = connection.settings_dict
    return (
        f"postgresql://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def run_worker(settings):
    """Run the queued jobs in a worker process on the test database, then return."""
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=PROJECT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
        check=True,
        timeout=120,
        capture_output=True,
    )


def queue_jobs_in_the_database(settings):
    """Jobs are queued in the database, for a worker process to run (the tests' default
    runs them at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
