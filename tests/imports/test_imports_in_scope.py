"""An import is its uploader's, and every import is a chain-wide manager's (issue 31):
``CustomerImport.objects.for_actor``, which the import pages read through. A manager of
some stores is told another's import does not exist (``test_import_races``)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from imports.models import CheckPart, CustomerImport
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def rita(riverside):
    """Rita, a manager who holds Riverside alone."""
    return make_user("rita", groups=["Managers"], stores=[riverside])


@pytest.fixture
def ritas_import(rita):
    return CustomerImport.objects.create(name="riverside.csv", created_by=rita)


def test_a_chain_wide_manager_reaches_anothers_import(manager_client, ritas_import):
    assert "riverside.csv" in manager_client.get(reverse("imports:list")).text
    page = manager_client.get(reverse("imports:detail", args=[ritas_import.pk]))
    assert page.status_code == 200


def test_a_person_has_their_own_imports_and_their_parts_and_a_chain_wide_one_every_import(
    rita, manager, ritas_import
):
    managers_import = CustomerImport.objects.create(name="every-store.csv", created_by=manager)
    CheckPart.cut(ritas_import, 10, 10)
    CheckPart.cut(managers_import, 10, 10)

    assert list(CustomerImport.objects.for_actor(rita)) == [ritas_import]
    assert {part.customer_import for part in CheckPart.objects.for_actor(rita)} == {ritas_import}
    assert set(CustomerImport.objects.for_actor(manager)) == {ritas_import, managers_import}


def test_someone_not_a_person_has_no_import(ritas_import):
    assert not CustomerImport.objects.for_actor(AnonymousUser()).exists()
