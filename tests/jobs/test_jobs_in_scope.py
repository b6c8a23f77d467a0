"""/jobs/ shows a manager of some stores the jobs of their own exports and imports, and
a chain-wide manager every job (issue 31, High 4): file names and list titles are the
requester's to see. Proved through the page and through ``Job.objects.for_actor``."""

import pytest
from django.urls import reverse

from backoffice.audit import Actor
from backoffice.models import Export
from imports.models import CustomerImport, WritePart
from jobs.models import Job
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def rita(riverside):
    """Rita, a manager who holds Riverside alone."""
    return make_user("rita", groups=["Managers"], stores=[riverside])


def export_job(person, title):
    export = Export.objects.create(
        title=title, list_view="x", filename=f"{title}.csv", created_by=person
    )
    return Job.objects.create(kind="Export", task_path="x", subject=export)


def import_jobs(person, name):
    """An import's check, and the job of its one written part."""
    customer_import = CustomerImport.objects.create(name=name, created_by=person)
    (part,) = WritePart.cut(customer_import, 10, 10)
    return [
        Job.objects.create(kind=CustomerImport.CHECK_JOB, task_path="x", subject=customer_import),
        Job.objects.create(kind=WritePart.WRITE_JOB, task_path="x", subject=part),
    ]


@pytest.fixture
def jobs(rita, manager):
    """Rita's export and import, and the chain-wide manager's."""
    return {
        "rita": [export_job(rita, "Riverside mailing"), *import_jobs(rita, "riverside.csv")],
        "manager": [export_job(manager, "Payroll"), *import_jobs(manager, "every-store.csv")],
    }


def test_a_one_store_manager_sees_the_jobs_of_their_own_exports_and_imports(client, rita, jobs):
    client.force_login(rita)

    page = client.get(reverse("jobs:list")).text

    assert "Export of Riverside mailing" in page and "Import of riverside.csv" in page
    assert f"Part 1 of import #{jobs['rita'][2].subject.customer_import_id}" in page
    assert "Payroll" not in page and "every-store.csv" not in page
    assert f"import #{jobs['manager'][2].subject.customer_import_id}" not in page


def test_a_chain_wide_manager_sees_every_job(manager_client, jobs):
    page = manager_client.get(reverse("jobs:list")).text

    for shown in ("Export of Riverside mailing", "Import of riverside.csv", "Export of Payroll",
                  "Import of every-store.csv"):  # fmt: skip
        assert shown in page


def test_the_queryset_gives_a_person_their_own_jobs_and_a_command_every_job(rita, manager, jobs):
    assert set(Job.objects.for_actor(rita)) == set(jobs["rita"])
    assert set(Job.objects.for_actor(Actor("manage.py x"))) == {*jobs["rita"], *jobs["manager"]}
    assert set(Job.objects.for_actor(make_user(groups=["Managers"], stores=[]))) == set()
