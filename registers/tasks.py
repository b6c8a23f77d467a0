"""The registers' daily job, queued by ``run_schedules`` (``jobs.schedules``)."""

from django_tasks import task

from .services import remove_old_idempotent_answers


@task()
def remove_old_idempotent_answers_daily():
    remove_old_idempotent_answers()
