"""Who looked at whom, and who took which list away: opening a customer's page and
downloading an export are audit events ("Viewed", "Exported")."""

import pytest
from django.urls import reverse

from backoffice.models import AuditEvent, Export
from tests.factories import make_customer

Action = AuditEvent.Action


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])


def test_opening_a_customers_page_is_a_viewed_event(clerk_client, clerk, ada):
    clerk_client.get(ada.get_absolute_url())
    page = clerk_client.get(ada.get_absolute_url())

    viewed = AuditEvent.objects.filter(action=Action.VIEW)
    assert [(e.user, e.object_id, e.object_repr, e.summary) for e in viewed] == [
        (clerk, ada.pk, "Ada Lovelace", "Viewed")
    ] * 2
    # The customer's own page keeps to the changes made to them.
    assert [event.action for event in page.context["history"]] == [Action.CREATE]


def test_a_refused_page_is_no_viewed_event(clerk_client, ada):
    assert clerk_client.get(reverse("customers:detail", args=[ada.pk + 1])).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()


def test_the_audit_trail_lists_views_by_their_action(manager_client, ada):
    manager_client.get(ada.get_absolute_url())

    trail = manager_client.get(reverse("audit"), {"action": "view"})

    assert [event.summary for event in trail.context["events"]] == ["Viewed"]


def test_downloading_a_list_is_an_exported_event_with_its_filters_and_rows(
    manager_client, manager, ada, downtown
):
    make_customer(first_name="Bob", stores=[downtown])

    response = manager_client.get(
        reverse("customers:export"), {"store": "DT01", "q": "Ada", "count": "1", "page": "2"}
    )  # exported from the list's second page, its count asked for
    b"".join(response.streaming_content)

    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.user, event.object_id) == (manager, manager.pk)
    assert event.summary == "Exported 1 row of Customers as CSV: store “DT01”, q “Ada”"
    assert event.changes == {"query": [None, "store=DT01&q=Ada&count=1&page=2"], "rows": [None, 1]}


def test_downloading_a_background_export_is_an_exported_event(
    manager_client, manager, ada, run_jobs, settings
):
    settings.EXPORT_STREAM_LIMIT = 0
    run_jobs(lambda: manager_client.post(f"{reverse('customers:export_xlsx')}?store=all"))
    export = Export.objects.get()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()  # not downloaded yet

    manager_client.get(reverse("export_download", args=[export.pk]))

    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.summary == ("Exported 1 row of Customers as Excel workbook (.xlsx): store “all”")
