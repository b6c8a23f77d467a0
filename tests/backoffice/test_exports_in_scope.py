"""An export is its requester's alone, whoever else may see every store:
``Export.objects.for_actor``, which the export pages read through (the pages' own tests
are in ``test_exports``)."""

import pytest

from backoffice.audit import Actor
from backoffice.models import Export
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_person_has_their_own_exports_only_and_a_command_none(manager, superuser):
    own = Export.objects.create(title="Customers", list_view="x", filename="c.csv",
                                created_by=manager)  # fmt: skip
    Export.objects.create(title="Others", list_view="x", filename="o.csv", created_by=superuser)

    assert list(Export.objects.for_actor(manager)) == [own]
    assert not Export.objects.for_actor(make_user(groups=["Managers"])).exists()
    assert not Export.objects.for_actor(Actor("manage.py x")).exists()
