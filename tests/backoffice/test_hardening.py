"""What a store manager and an attacker hit in the first hour (issue 11): bounded search,
no 500 from races or odd input, no caching of personal data, throttling behind a proxy,
error pages with a reference, sessions, and request size limits."""

import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.models import AuditEvent
from backoffice.tables import neutralise
from customers.forms import GeneralForm
from customers.models import Customer
from customers.services import customers_delete
from tests.factories import image_upload, make_customer, make_user
from tests.forms import field_errors, form_data

LIST_URL = reverse("customers:list")


class TestSearchCost:
    def test_two_thousand_words_search_eight_and_say_so(self, clerk_client, downtown):
        make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
        query = " ".join(["a"] * 2000)

        with CaptureQueriesContext(connection) as queries:
            response = clerk_client.get(LIST_URL, {"q": query, "sort": "name"}, follow=True)

        assert response.redirect_chain == [(f"{LIST_URL}?q=a+a+a+a+a+a+a+a&sort=name", 302)]
        assert "Only the first 8 words and 200 characters of a search are used" in (
            response.content.decode()
        )
        assert len(response.content) < 200_000
        most_likes = max(query["sql"].upper().count("LIKE") for query in queries)
        assert most_likes <= 8 * 5

    def test_the_export_uses_the_same_words(self, manager_client, downtown):
        make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
        query = "ada " + " ".join(["x"] * 2000)

        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("customers:export"), {"q": query})
            b"".join(response.streaming_content)

        assert max(query["sql"].upper().count("LIKE") for query in queries) <= 8 * 5

    def test_the_number_of_words_does_not_change_the_number_of_queries(self, clerk_client, db):
        make_customer(first_name="Ada", last_name="Lovelace")
        with CaptureQueriesContext(connection) as one_word:
            clerk_client.get(LIST_URL, {"q": "ada"})
        with CaptureQueriesContext(connection) as eight_words:
            clerk_client.get(LIST_URL, {"q": "a d a l o v e l"})

        assert len(one_word) == len(eight_words)

    def test_every_word_must_match(self, clerk_client, db):
        make_customer(first_name="Ada", last_name="Lovelace")
        make_customer(first_name="Ada", last_name="King")

        response = clerk_client.get(LIST_URL, {"q": "ada love"})

        assert [c.last_name for c in response.context["customers"]] == ["Lovelace"]


class TestRaces:
    def test_an_email_taken_between_checking_and_saving_is_a_field_error(
        self, clerk_client, downtown, monkeypatch
    ):
        """Two identical creates at once: the second passes the form's check before the
        first commits, and the database's unique index refuses it."""
        data = form_data(clerk_client.get(reverse("customers:create")), "customer-form")
        data.update(first_name="Ada", last_name="Lovelace", email="ada@example.com")
        data["stores"] = [str(downtown.pk)]
        checked = GeneralForm.duplicate_email_error
        calls = []

        def first_check_sees_nothing(form, email):
            calls.append(email)
            if len(calls) == 1:
                make_customer(first_name="Ada", last_name="Other", email="ADA@example.com")
                return None
            return checked(form, email)

        monkeypatch.setattr(GeneralForm, "duplicate_email_error", first_check_sees_nothing)

        response = clerk_client.post(reverse("customers:create"), data)

        assert response.status_code == 200
        assert "This email address already belongs to" in " ".join(field_errors(response, "email"))
        assert Customer.objects.count() == 1


class TestOddInput:
    @pytest.mark.parametrize(
        "query",
        [{"store": "\x00"}, {"q": "ada\x00"}, {"type": "\x00"}, {"sort": "\x00"}],
    )
    def test_a_nul_character_is_a_400(self, clerk_client, db, query):
        response = clerk_client.get(LIST_URL, query)

        assert response.status_code == 400
        assert "could not understand this request" in response.content.decode()

    @pytest.mark.parametrize("query", [{"page": "²"}, {"sort": "-²"}])
    def test_other_digits_in_the_paging_and_sort_are_ignored(self, clerk_client, downtown, query):
        make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])

        response = clerk_client.get(LIST_URL, query)

        assert response.status_code == 200
        assert "Ada Lovelace" in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "problem"),
        [
            ({"store": "²"}, "store: Select a valid choice. ² is not one of the available"),
            ({"store": "١٢"}, "store: Select a valid choice. ١٢ is not one of the available"),
            ({"created_from": "²"}, "created_from: Enter a valid date."),
            ({"loyalty": "²"}, "loyalty: Select a valid choice."),
        ],
    )
    def test_other_digits_in_a_filter_are_not_understood_and_say_so(
        self, clerk_client, downtown, query, problem
    ):
        make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])

        response = clerk_client.get(LIST_URL, query)

        assert response.status_code == 200
        assert f"Some filters were not understood: {problem}" in response.content.decode()
        assert "Ada Lovelace" not in response.content.decode()

    @pytest.mark.parametrize("query", ["1²²²", "١٢٣٤"])
    def test_other_digits_are_searched_as_words_not_as_a_customer_number(
        self, clerk_client, downtown, query
    ):
        ada = make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
        assert ada.pk < 1000  # "١٢٣٤" read as a number would be 1234

        response = clerk_client.get(LIST_URL, {"q": query})

        assert response.status_code == 200
        assert "Ada Lovelace" not in response.content.decode()
        assert f'value="{query}"' in response.content.decode()

    @pytest.mark.parametrize("url_name", ["customers:bulk_delete", "customers:restore"])
    def test_odd_selections_touch_nobody(self, manager_client, manager, downtown, url_name):
        ada = make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
        if url_name == "customers:restore":
            customers_delete(customers=[ada], actor=manager)
        # Python reads "١" (ARABIC-INDIC DIGIT ONE) as 1: Ada's number in those digits.
        arabic_indic = str(ada.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        odd = {"selected": ["²", arabic_indic, "x"], "confirm": "yes"}

        response = manager_client.post(reverse(url_name), odd)

        assert response.status_code == 302
        assert Customer.all_objects.get(pk=ada.pk).is_deleted == (url_name == "customers:restore")
        events = AuditEvent.objects.filter(object_id=ada.pk)
        assert not events.exclude(action__in=["create", "delete"]).exists()

    def test_an_odd_audit_filter_is_not_understood_and_says_so(self, manager_client, downtown):
        make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])

        response = manager_client.get(reverse("audit"), {"user": "²", "object_type": "١"})

        assert response.status_code == 200
        assert "Some filters were not understood: user: Select a valid choice." in (
            response.content.decode()
        )
        assert "Ada Lovelace" not in response.content.decode()

    def test_a_nul_in_a_form_is_a_400(self, clerk_client, db):
        response = clerk_client.post(reverse("customers:create"), {"first_name": "A\x00"})

        assert response.status_code == 400


class TestNoCaching:
    @pytest.fixture
    def customer(self, downtown):
        return make_customer(stores=[downtown], photo=image_upload())

    @pytest.mark.parametrize(
        "url",
        [
            lambda c: LIST_URL,
            lambda c: reverse("customers:detail", args=[c.pk]),
            lambda c: reverse("customers:edit", args=[c.pk]),
            lambda c: reverse("customers:export"),
            lambda c: reverse("customers:deleted"),
            lambda c: reverse("audit"),
        ],
        ids=["list", "detail", "edit", "export", "deleted", "audit"],
    )
    def test_pages_with_customers_are_not_stored(self, manager_client, customer, url):
        response = manager_client.get(url(customer))

        assert response["Cache-Control"] == "private, no-store"

    def test_photos_are_private_and_revalidated(self, manager_client, customer):
        response = manager_client.get(reverse("customers:photo", args=[customer.pk]))

        assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
class TestThrottlingBehindAProxy:
    PROXY = "10.0.0.5"

    @pytest.fixture(autouse=True)
    def proxy_network(self, settings):
        settings.TRUSTED_PROXY_IPS = ["10.0.0.0/24"]

    def sign_in(self, client, client_address, password, *, via=PROXY):
        return client.post(
            reverse("login"),
            {"username": "carla", "password": password},
            REMOTE_ADDR=via,
            HTTP_X_FORWARDED_FOR=client_address,
        )

    def test_the_attackers_address_is_locked_not_the_users(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        attacker, carla = Client(), Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(attacker, "203.0.113.66", "wrong")

        locked = self.sign_in(attacker, "203.0.113.66", "Correct-Horse-42")
        # The attacker may add entries of their own; the proxy's last entry is believed.
        forged = self.sign_in(attacker, "198.51.100.7, 203.0.113.66", "Correct-Horse-42")
        allowed = self.sign_in(carla, "198.51.100.7", "Correct-Horse-42")

        assert (locked.status_code, forged.status_code) == (429, 429)
        assert allowed.status_code == 302

    def test_reaching_the_apps_port_directly_the_header_is_not_believed(self, settings):
        """The attacker's second visit, finding 16: a forged X-Forwarded-For on each try
        got round the lockout when the app's port was reached without the proxy."""
        settings.TRUSTED_PROXY_COUNT = 1
        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        for number in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(Client(), f"198.51.100.{number}", "wrong", via="203.0.113.66")

        direct = self.sign_in(Client(), "198.51.100.99", "Correct-Horse-42", via="203.0.113.66")
        through_the_proxy = self.sign_in(Client(), "198.51.100.7", "Correct-Horse-42")

        assert (direct.status_code, through_the_proxy.status_code) == (429, 302)

    def test_a_proxy_on_an_ipv6_socket_is_known_by_its_ipv4_address(self, settings):
        """gunicorn bound to [::] sees the proxy on 127.0.0.1 as ::ffff:127.0.0.1."""
        settings.TRUSTED_PROXY_COUNT = 1
        settings.TRUSTED_PROXY_IPS = ["127.0.0.1"]
        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(Client(), "203.0.113.66", "wrong", via="::ffff:127.0.0.1")

        other_client = self.sign_in(
            Client(), "198.51.100.7", "Correct-Horse-42", via="::ffff:127.0.0.1"
        )

        assert other_client.status_code == 302

    def test_without_a_proxy_the_header_is_not_believed(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        for number in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(Client(), f"203.0.113.{number}", "wrong")

        assert self.sign_in(Client(), "198.51.100.7", "Correct-Horse-42").status_code == 429


class TestErrorPages:
    def test_404_in_the_apps_layout_with_a_reference(self, clerk_client, db):
        response = clerk_client.get(reverse("customers:detail", args=[99999]))

        html = response.content.decode()
        assert response.status_code == 404
        assert "This page does not exist" in html
        assert f'href="{reverse("home")}"' in html
        assert response["X-Request-ID"] in html

    def test_403_explains_and_gives_a_reference(self, client, outsider):
        client.force_login(outsider)

        response = client.get(LIST_URL)

        assert response.status_code == 403
        assert "You are not allowed to do this" in response.content.decode()
        assert response["X-Request-ID"] in response.content.decode()

    def test_500_shows_no_detail_and_logs_the_reference(
        self, clerk_client, downtown, monkeypatch, caplog
    ):
        customer = make_customer(stores=[downtown])

        def broken(*args, **kwargs):
            raise RuntimeError("secret internal detail")

        monkeypatch.setattr("customers.views.CustomerDetailView.get_context_data", broken)
        clerk_client.raise_request_exception = False
        with caplog.at_level(logging.ERROR, logger="django.request"):
            response = clerk_client.get(reverse("customers:detail", args=[customer.pk]))

        html = response.content.decode()
        assert response.status_code == 500
        assert "Something went wrong on our side" in html
        assert "secret internal detail" not in html and "Traceback" not in html
        reference = response["X-Request-ID"]
        assert reference in html
        assert any(
            getattr(r, "request", None) and r.request.request_id == reference
            for r in caplog.records
        )

    def test_the_log_format_carries_the_reference(self):
        assert "%(request_id)s" in settings.LOGGING["formatters"]["with_request_id"]["format"]


class TestCustomerDeletedWhileEdited:
    def test_the_save_says_so_and_keeps_what_was_typed(self, clerk_client, manager, downtown):
        customer = make_customer(first_name="Ada", city="London", stores=[downtown])
        url = reverse("customers:edit", args=[customer.pk])
        data = form_data(clerk_client.get(url), "customer-form")
        Customer.objects.filter(pk=customer.pk).update(
            deleted_at="2026-01-01T00:00Z", deleted_by=manager
        )
        data["city"] = "Paris"

        response = clerk_client.post(url, data)

        html = response.content.decode()
        assert response.status_code == 200
        assert "was moved to Deleted by Mona Manager while you were editing" in html
        assert form_data(response, "customer-form")["city"] == ["Paris"]
        assert Customer.all_objects.get(pk=customer.pk).city == "London"


class TestSessionsAndPasswords:
    def test_the_session_ends_when_the_browser_closes(self, client, db):
        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])

        response = client.post(
            reverse("login"), {"username": "carla", "password": "Correct-Horse-42"}
        )

        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert not cookie["expires"] and not cookie["max-age"]

    @pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/reset/x/y/"])
    def test_password_reset_pages_are_gone(self, client, db, path):
        assert client.get(path).status_code == 404

    def test_wrong_old_passwords_are_throttled_like_sign_in(self, client, db):
        user = make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        client.force_login(user)

        def change(old):
            return client.post(
                reverse("password_change"),
                {
                    "old_password": old,
                    "new_password1": "Brand-New-Secret-91",
                    "new_password2": "Brand-New-Secret-91",
                },
            )

        wrong = [change("guess").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
        even_right = change("Correct-Horse-42")

        assert wrong[0] == 200
        assert even_right.status_code == 429
        user.refresh_from_db()
        assert user.check_password("Correct-Horse-42")


class TestUploadsAndExports:
    def test_a_body_over_ten_megabytes_is_refused_before_it_is_read(self, clerk_client, db):
        response = clerk_client.post(
            reverse("customers:create"),
            b"x" * (settings.MAX_REQUEST_BYTES + 1),
            content_type="application/octet-stream",
        )

        assert response.status_code == 413

    @pytest.mark.parametrize("cell", [" =1+1", "   +1", "  -1", " @SUM(A1)", "\t=1"])
    def test_spaces_before_a_formula_do_not_hide_it(self, cell):
        assert [neutralise(cell)] == ["'" + cell]

    def test_ordinary_text_is_kept(self):
        assert [neutralise(v) for v in ["Ada", " Ada", 5, None]] == ["Ada", " Ada", 5, None]


class TestEveryErrorPageLooksLikeTheApp:
    """The attacker's second visit, finding 17: the CSRF refusal was Django's plain page,
    the 413 plain text, and the 400 had no CSP, X-Frame-Options or Cache-Control."""

    def assert_in_the_apps_look_with_headers(self, response, status, heading):
        assert response.status_code == status
        html = response.content.decode()
        assert heading in html and "Back to the customer list" in html
        assert response["X-Request-ID"] in html
        assert response["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "no-store" in response["Cache-Control"]

    def test_a_form_without_its_csrf_token(self, manager, db):
        client = Client(enforce_csrf_checks=True)
        client.force_login(manager)

        response = client.post(reverse("customers:create"), {"first_name": "Ada"})

        self.assert_in_the_apps_look_with_headers(response, 403, "This form could not be sent")

    def test_a_body_too_large(self, clerk_client):
        response = clerk_client.post(
            reverse("customers:create"),
            b"x" * (settings.MAX_REQUEST_BYTES + 1),
            content_type="application/octet-stream",
        )

        self.assert_in_the_apps_look_with_headers(response, 413, "What you sent is too large")
        assert "larger than 10 MB" in response.content.decode()

    def test_a_nul_character(self, client, db):
        response = client.get(reverse("login"), {"next": "/\x00"})

        self.assert_in_the_apps_look_with_headers(
            response, 400, "The page could not understand this request"
        )
