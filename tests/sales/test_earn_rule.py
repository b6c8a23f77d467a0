"""Loyalty settings (/loyalty/settings/): managers set how many points a sale earns."""

from decimal import Decimal

import pytest
from django.urls import reverse

from loyalty.models import EarnRule
from tests.forms import field_errors

pytestmark = pytest.mark.django_db

SETTINGS = reverse("loyalty:settings")


def test_until_a_manager_sets_it_a_sale_earns_a_point_per_whole_unit():
    rule = EarnRule.current()

    assert rule.points_for(Decimal("25.99"), 0) == 25
    assert rule.points_for(Decimal("25.99"), 100) == 24  # 1.00 of it paid with points


def test_a_manager_sets_the_points_per_unit_and_the_value_of_a_point(manager_client):
    response = manager_client.post(
        SETTINGS, {"points_per_unit": 3, "point_value": "0.05", "earn_on_points_paid": "on"}
    )

    assert response.status_code == 302
    rule = EarnRule.current()
    assert (rule.points_per_unit, rule.point_value, rule.earn_on_points_paid) == (
        3, Decimal("0.05"), True,
    )  # fmt: skip
    assert rule.points_for(Decimal("10.50"), 100) == 30  # points earned on all of it


def test_nonsense_is_refused_next_to_the_field(manager_client):
    response = manager_client.post(SETTINGS, {"points_per_unit": -1, "point_value": "0"})

    assert field_errors(response, "points_per_unit")
    assert field_errors(response, "point_value")
    assert not EarnRule.objects.exists()


def test_store_staff_cannot_change_it(clerk_client):
    assert clerk_client.get(SETTINGS).status_code == 403
