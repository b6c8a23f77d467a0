"""Running background jobs in a real worker process, as in production: ``db_worker``, or
``rqworker`` when REDIS_URL is set (CI runs these tests once each way). On PostgreSQL,
whose test database another process can open (SQLite's lives in this process's memory)."""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as project_settings
from django.db import connection

PROJECT = Path(__file__).resolve().parents[1]
# What the project's settings queue jobs with: the database, or Redis with REDIS_URL.
QUEUED_FOR_WORKERS = project_settings.TASKS

needs_shared_database = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker process needs a shared database"
)
# Tests of a real worker process (CI runs them once more with REDIS_URL: ``-m real_worker``).
real_worker = [pytest.mark.real_worker, needs_shared_database]


def database_url():
    """The test database, for another process."""
    database = connection.settings_dict
    return (
        f"postgresql://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def worker_command(*, until_idle=False):
    """The worker of the queue in use: until the queue is empty, or for ever."""
    if project_settings.REDIS_URL:
        return [sys.executable, "manage.py", "rqworker", *(["--burst"] if until_idle else [])]
    batch = ["--batch"] if until_idle else ["--no-reload", "--interval", "0.2"]
    return [sys.executable, "manage.py", "db_worker", "--no-startup-delay", *batch]


def worker_environment(settings, **more):
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **more,
    }


def run_worker(settings):
    """Run the queued jobs in a worker process on the test database, then return."""
    subprocess.run(
        worker_command(until_idle=True),
        cwd=PROJECT,
        env=worker_environment(settings),
        check=True,
        timeout=120,
        capture_output=True,
    )


def start_worker(settings, **environment):
    """A worker process that runs until it is stopped (``terminate``) or killed."""
    return subprocess.Popen(
        worker_command(),
        cwd=PROJECT,
        env=worker_environment(settings, **environment),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def workers_running(settings, count=1, **environment):
    """``count`` worker processes (``start_worker``), stopped on leaving."""
    workers = [start_worker(settings, **environment) for _ in range(count)]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait()


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def queue_jobs_for_workers(settings):
    """Jobs are queued as the project's settings queue them, for a worker process to run
    (the tests' default runs them at once)."""
    settings.TASKS = QUEUED_FOR_WORKERS


def queue_jobs_in_the_database(settings):
    """Jobs are queued in the database, to be read there (``DBTaskResult``)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
