"""The New / Edit Customer page, driven through its rendered form."""

import datetime
import re
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from customers.models import Customer
from loyalty.models import LoyaltyLedgerEntry
from tests.factories import image_upload, make_customer
from tests.forms import field_errors, form_data

NEW_URL = reverse("customers:create")


def edit_url(customer):
    return reverse("customers:edit", args=[customer.pk])


def success_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestCreate:
    def test_page_shows_the_four_sections_and_a_save_button(self, clerk_client):
        response = clerk_client.get(NEW_URL)
        html = response.content.decode()
        for section in ("General", "Customer Store", "Loyalty", "Address"):
            assert f">{section}</h2>" in html
        assert ">Save</button>" in html

    def test_create_with_every_field(
        self, clerk_client, new_customer_data, downtown, riverside, clerk
    ):
        data = form_data(clerk_client.get(NEW_URL), "customer-form")
        data.update(
            first_name="Ada",
            last_name="Lovelace",
            email="Ada@Example.com",
            phone="+44 20 7946 0958",
            gender="female",
            date_of_birth="1990-12-10",
            nationality="GB",
            anniversary="2020-03-01",
            gate_code="#4512",
            id_number="C-0042",
            notes="Prefers email.",
            stores=[str(downtown.pk), str(riverside.pk)],
            loyalty_enrolled="on",
            loyalty_balance="150",
            loyalty_reason="Welcome bonus",
            address_line1="12 Analytical Row",
            address_line2="Apt 3",
            city="London",
            state="Greater London",
            zip_code="EC1A 1BB",
            country="GB",
            photo=image_upload("my holiday.png", image_format="PNG"),
        )
        response = clerk_client.post(NEW_URL, data)

        assert response.status_code == 302
        assert response.url == reverse("customers:list")
        assert success_messages(response) == ["Customer “Ada Lovelace” was created."]
        customer = Customer.objects.get()
        assert customer.email == "Ada@Example.com"
        assert customer.phone.as_e164 == "+442079460958"
        assert customer.gender == "female"
        assert customer.date_of_birth == datetime.date(1990, 12, 10)
        assert customer.nationality.code == "GB"
        assert customer.anniversary == datetime.date(2020, 3, 1)
        assert (customer.gate_code, customer.id_number, customer.notes) == (
            "#4512",
            "C-0042",
            "Prefers email.",
        )
        assert set(customer.stores.all()) == {downtown, riverside}
        assert customer.loyalty_account.enrolled is True
        assert customer.loyalty_account.balance == 150
        assert (customer.address_line1, customer.address_line2, customer.city) == (
            "12 Analytical Row",
            "Apt 3",
            "London",
        )
        assert (customer.state, customer.zip_code, customer.country.code) == (
            "Greater London",
            "EC1A 1BB",
            "GB",
        )
        assert customer.created_by == clerk
        assert re.fullmatch(r"customers/photos/[0-9a-f]{32}\.png", customer.photo.name)

    def test_new_customer_appears_in_the_list_with_its_thumbnail(
        self, clerk_client, new_customer_data
    ):
        new_customer_data["photo"] = image_upload()
        clerk_client.post(NEW_URL, new_customer_data)
        customer = Customer.objects.get()

        response = clerk_client.get(reverse("customers:list"))

        assert "Ada Lovelace" in response.content.decode()
        photo_url = reverse("customers:photo", args=[customer.pk])
        assert f'src="{photo_url}"' in response.content.decode()
        photo = clerk_client.get(photo_url)
        assert photo.status_code == 200
        assert Image.open(BytesIO(b"".join(photo.streaming_content))).format == "JPEG"

    def test_enrolment_and_balance_are_two_ledger_entries(
        self, clerk_client, new_customer_data, clerk
    ):
        new_customer_data.update(
            loyalty_enrolled="on",
            loyalty_balance="200",
            loyalty_reason="goodwill",
            loyalty_note="Welcome bonus",
        )
        clerk_client.post(NEW_URL, new_customer_data)

        enrolled, bonus = LoyaltyLedgerEntry.objects.order_by("pk")
        assert (enrolled.reason, enrolled.delta, enrolled.balance_after) == ("enrolled", 0, 0)
        assert (bonus.reason, bonus.note, bonus.delta, bonus.balance_after) == (
            "goodwill",
            "Welcome bonus",
            200,
            200,
        )
        assert bonus.created_by == clerk
        assert bonus.account.customer.email == "ada@example.com"

    def test_a_reason_posted_as_text_is_the_note_of_other(self, clerk_client, new_customer_data):
        """Tools that post the reason as free text, as before the list of reasons, work."""
        new_customer_data.update(
            loyalty_enrolled="on", loyalty_balance="200", loyalty_reason="Welcome bonus"
        )
        clerk_client.post(NEW_URL, new_customer_data)

        bonus = LoyaltyLedgerEntry.objects.latest("pk")
        assert (bonus.reason, bonus.note, bonus.delta) == ("other", "Welcome bonus", 200)

    def test_not_enrolled_customer_has_no_balance_and_no_ledger_entry(
        self, clerk_client, new_customer_data
    ):
        new_customer_data.update(loyalty_balance="500", loyalty_reason="ignored")
        clerk_client.post(NEW_URL, new_customer_data)

        account = Customer.objects.get().loyalty_account
        assert (account.enrolled, account.balance) == (False, 0)
        assert not LoyaltyLedgerEntry.objects.exists()


class TestValidation:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("first_name", "", "This field is required."),
            ("last_name", "", "This field is required."),
            ("email", "", "This field is required."),
            ("email", "ada(at)example", "Enter a valid email address."),
            ("phone", "12345", "Enter a valid phone number"),
            ("date_of_birth", "2999-01-01", "This date cannot be in the future."),
            ("anniversary", "2999-01-01", "This date cannot be in the future."),
            ("stores", [], "Choose at least one store."),
        ],
    )
    def test_wrong_field_is_refused_with_a_message_next_to_it(
        self, clerk_client, new_customer_data, field, value, message
    ):
        new_customer_data[field] = value

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert response.status_code == 200
        assert any(message in error for error in field_errors(response, field))
        assert "error-summary" in response.content.decode()
        assert not Customer.objects.exists()

    def test_tomorrow_is_in_the_future(self, clerk_client, new_customer_data):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        new_customer_data["date_of_birth"] = tomorrow.isoformat()

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert field_errors(response, "date_of_birth") == ["This date cannot be in the future."]

    def test_negative_balance_is_refused(self, clerk_client, new_customer_data):
        new_customer_data.update(loyalty_enrolled="on", loyalty_balance="-5", loyalty_reason="Oops")

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert field_errors(response, "loyalty_balance") == ["The balance cannot be negative."]
        assert not Customer.objects.exists()

    def test_balance_change_without_reason_is_refused(self, clerk_client, new_customer_data):
        new_customer_data.update(loyalty_enrolled="on", loyalty_balance="100")

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert field_errors(response, "loyalty_reason") == [
            "Give the reason for the balance change."
        ]
        assert not LoyaltyLedgerEntry.objects.exists()

    def test_duplicate_email_in_other_case_is_refused_with_a_link(
        self, clerk_client, new_customer_data
    ):
        existing = make_customer(email="ada@example.com", first_name="Ada", last_name="King")
        new_customer_data["email"] = "ADA@Example.COM"

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert field_errors(response, "email") == [
            "This email address already belongs to Ada King."
        ]
        assert f'href="{edit_url(existing)}"' in response.content.decode()
        assert Customer.objects.count() == 1

    def test_text_file_posing_as_a_photo_is_refused(self, clerk_client, new_customer_data):
        new_customer_data["photo"] = SimpleUploadedFile(
            "photo.jpg", b"just some text", content_type="image/jpeg"
        )

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert field_errors(response, "photo") == [
            "Upload a JPEG, PNG or WebP photo. This file is not one of those (HEIC, AVIF and "
            "SVG are not accepted): save or export it as JPEG first."
        ]
        assert not Customer.objects.exists()

    def test_photo_over_5_mb_is_refused(self, clerk_client, new_customer_data):
        new_customer_data["photo"] = image_upload("big.png", image_format="PNG", noise=(1400, 1400))
        assert new_customer_data["photo"].size > 5 * 1024 * 1024

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert field_errors(response, "photo") == ["This photo is 5.6 MB; the limit is 5.0 MB."]
        assert not Customer.objects.exists()

    def test_invalid_submission_keeps_what_was_typed(self, clerk_client, new_customer_data):
        new_customer_data.update(
            email="not-an-email",
            city="Lisbon",
            notes="Likes <b>bold</b> shoes",
            loyalty_enrolled="on",
            loyalty_balance="40",
        )

        response = clerk_client.post(NEW_URL, new_customer_data)

        shown = form_data(response, "customer-form")
        assert shown["first_name"] == ["Ada"]
        assert shown["email"] == ["not-an-email"]
        assert shown["city"] == ["Lisbon"]
        assert shown["notes"] == ["Likes <b>bold</b> shoes"]
        assert "Likes &lt;b&gt;bold&lt;/b&gt; shoes" in response.content.decode()
        assert shown["loyalty_balance"] == ["40"]
        assert shown["stores"] == new_customer_data["stores"]

    def test_a_chosen_photo_is_kept_and_the_page_says_so(self, clerk_client, new_customer_data):
        new_customer_data.update(email="bad", photo=image_upload())

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert "The photo you chose is kept: it will be saved" in response.content.decode()

    def test_summary_lists_every_error(self, clerk_client, new_customer_data):
        new_customer_data.update(first_name="", email="bad", stores=[])

        response = clerk_client.post(NEW_URL, new_customer_data)

        assert "Please correct 3 errors below" in response.content.decode()


class TestEdit:
    def test_page_is_filled_in_and_reads_update(self, clerk_client, downtown):
        customer = make_customer(first_name="Grace", city="Arlington", stores=[downtown])

        response = clerk_client.get(edit_url(customer))

        data = form_data(response, "customer-form")
        assert data["first_name"] == ["Grace"]
        assert data["city"] == ["Arlington"]
        assert data["stores"] == [str(downtown.pk)]
        assert ">Update</button>" in response.content.decode()

    def test_update_changes_one_field_and_keeps_the_others(self, clerk_client, downtown):
        customer = make_customer(
            first_name="Grace",
            last_name="Hopper",
            phone="+12025550143",
            gate_code="1906",
            date_of_birth=datetime.date(1906, 12, 9),
            stores=[downtown],
            loyalty_balance=70,
        )
        data = form_data(clerk_client.get(edit_url(customer)), "customer-form")
        data["city"] = "Arlington"
        entries = LoyaltyLedgerEntry.objects.count()

        response = clerk_client.post(edit_url(customer), data)

        assert response.status_code == 302
        assert success_messages(response) == ["Customer “Grace Hopper” was updated."]
        customer.refresh_from_db()
        assert customer.city == "Arlington"
        assert customer.phone.as_e164 == "+12025550143"
        assert customer.gate_code == "1906"
        assert customer.date_of_birth == datetime.date(1906, 12, 9)
        assert list(customer.stores.all()) == [downtown]
        assert customer.loyalty_account.balance == 70
        assert customer.version == 2
        assert LoyaltyLedgerEntry.objects.count() == entries

    def test_unenrolling_keeps_the_stored_balance(self, clerk_client):
        customer = make_customer(loyalty_balance=70)
        data = form_data(clerk_client.get(edit_url(customer)), "customer-form")
        del data["loyalty_enrolled"]

        clerk_client.post(edit_url(customer), data)

        account = customer.loyalty_account
        account.refresh_from_db()
        assert (account.enrolled, account.balance) == (False, 70)

    def test_balance_adjustment_records_the_delta(self, clerk_client, clerk):
        customer = make_customer(loyalty_balance=70)
        data = form_data(clerk_client.get(edit_url(customer)), "customer-form")
        data.update(loyalty_balance="50", loyalty_reason="redemption", loyalty_note="A $5 voucher")

        clerk_client.post(edit_url(customer), data)

        latest = LoyaltyLedgerEntry.objects.first()
        assert (latest.delta, latest.balance_after, latest.reason, latest.note) == (
            -20,
            50,
            "redemption",
            "A $5 voucher",
        )
        assert latest.created_by == clerk

    def test_stale_version_is_refused_keeping_what_was_typed(self, clerk_client):
        customer = make_customer(first_name="Grace", city="Arlington")
        first_tab = form_data(clerk_client.get(edit_url(customer)), "customer-form")
        second_tab = form_data(clerk_client.get(edit_url(customer)), "customer-form")
        first_tab["city"] = "Boston"
        clerk_client.post(edit_url(customer), first_tab)
        second_tab["city"] = "Chicago"

        response = clerk_client.post(edit_url(customer), second_tab)

        assert response.status_code == 200
        assert "You saved this customer in another window" in response.content.decode()
        customer.refresh_from_db()
        assert customer.city == "Boston"
        shown = form_data(response, "customer-form")
        assert shown["city"] == ["Chicago"]
        assert shown["version"] == [str(customer.version)]

    def test_saving_a_customer_deleted_meanwhile_says_so_and_saves_nothing(self, manager_client):
        customer = make_customer(first_name="Grace")
        data = form_data(manager_client.get(edit_url(customer)), "customer-form")
        manager_client.post(
            reverse("customers:bulk_delete"), {"selected": customer.pk, "confirm": "yes"}
        )

        response = manager_client.post(edit_url(customer), data)

        assert response.status_code == 200
        assert "was moved to Deleted by" in response.content.decode()
        assert Customer.all_objects.get(pk=customer.pk).is_deleted

    def test_own_email_is_not_a_duplicate(self, clerk_client):
        customer = make_customer(email="grace@example.com")
        data = form_data(clerk_client.get(edit_url(customer)), "customer-form")
        data["email"] = "GRACE@example.com"

        response = clerk_client.post(edit_url(customer), data)

        assert response.status_code == 302

    def test_unknown_customer_is_404(self, clerk_client):
        assert clerk_client.get(reverse("customers:edit", args=[999])).status_code == 404
