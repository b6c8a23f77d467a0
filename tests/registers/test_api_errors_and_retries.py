"""What a till is told when something is wrong, and what a retry gets: every error is JSON
with a machine-readable code beside a plain-text message, no input is a 500, and a request
sent again with its Idempotency-Key, even while the first is still running, is never made
twice and never gets another answer."""

import base64
import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from registers.api.idempotency import fingerprint
from registers.models import IdempotentAnswer
from registers.services import register_create, remove_old_idempotent_answers
from tests.factories import OPS, make_customer, make_store
from tests.loyalty.test_concurrency import at_once
from tests.tills import till_client, till_headers

SEARCH = reverse("api_customers")
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}


@pytest.fixture
def boston(db):
    return make_store("Boston", code="BO01", country="US")


@pytest.fixture
def key(boston):
    return register_create(name="Front desk", store=boston, actor=OPS)[1]


@pytest.fixture
def till(key):
    return till_client(key)


def create(till, body=GRACE, **headers):
    return till.post(SEARCH, body, format="json", **headers)


@pytest.mark.django_db
class TestEveryErrorIsJsonWithACode:
    def test_a_fields_errors_have_their_codes(self, till):
        response = create(till, {**GRACE, "first_name": "", "email": "not an email"})

        assert response.status_code == 400
        errors = response.json()
        assert errors["codes"]["first_name"] == ["required"]
        assert errors["codes"]["email"] == ["invalid"]
        assert errors["first_name"] == ["This field is required."]

    def test_an_email_taken_names_no_one_and_holds_no_html(self, till, boston):
        make_customer(first_name="Ada", last_name="Lovelace", email="grace@example.com",
                      stores=[make_store("Denver")])  # fmt: skip

        response = create(till)

        assert response.status_code == 400
        assert response.json()["email"] == [
            "This email address already belongs to another customer."
        ]
        assert response.json()["codes"]["email"] == ["duplicate_email"]
        assert "Ada" not in response.content.decode() and "<" not in response.content.decode()

    @pytest.mark.parametrize(
        ("path", "status", "code"),
        [
            ("/api/v1/nowhere/", 404, "not_found"),
            ("/api/v1/customers/999999/", 404, "not_found"),
            ("/api/v1/customers/%D9%A3/", 404, "not_found"),  # an Arabic-Indic three
            ("/api/v1/customers/?q=a%00", 400, "invalid_character"),
        ],
    )
    def test_a_page_that_is_not_one(self, till, path, status, code):
        make_customer(stores=[])  # customer 3 exists somewhere: ٣ still does not read it

        response = till.get(path)

        assert (response.status_code, response.json()["code"]) == (status, code)
        assert response["Content-Type"] == "application/json"

    def test_without_a_key(self, boston):
        response = Client().get(SEARCH, {"q": "x"})

        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")

    def test_a_body_too_large(self, till, settings):
        settings.MAX_REQUEST_BYTES = 100

        response = create(till, {**GRACE, "notes": "x" * 200})

        assert (response.status_code, response.json()["code"]) == (413, "request_too_large")

    def test_a_server_error(self, key, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr("registers.api.views.CustomerSearchView.get_queryset", broken)
        client = Client(raise_request_exception=False, headers=till_headers(key))

        response = client.get(SEARCH, {"q": "grace"})

        assert response.status_code == 500
        assert response.json()["code"] == "server_error"
        assert response.json()["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
class TestNoInputIsA500:
    def test_json_nested_a_thousand_deep(self, till):
        body = "[" * 1000 + "]" * 1000

        response = till.post(SEARCH, body, content_type="application/json")

        assert (response.status_code, response.json()["code"]) == (400, "parse_error")

    def test_a_cursor_holding_a_nul(self, till):
        cursor = base64.b64encode(b"p=Smith\x00&r=0").decode()

        response = till.get(f"{SEARCH}?{urlencode({'q': 'Smith', 'cursor': cursor})}")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    @pytest.mark.parametrize("total", ["9999999999.99", "1_000", "1e2", "١٠", "12.345"])
    def test_a_total_too_large_or_not_written_in_digits(self, till, boston, total):
        ada = make_customer(stores=[boston])
        sale = {"id": "R1", "customer": ada.pk, "total": total,
                "occurred_at": timezone.now().isoformat()}  # fmt: skip

        response = till.post(reverse("api_sales"), sale, format="json")

        assert response.status_code == 400
        assert "total" in response.json()["codes"]


@pytest.mark.django_db
class TestARetryGetsTheFirstAnswer:
    def test_a_retry_is_answered_as_the_first_was_and_says_it_is_a_replay(self, till):
        first = create(till, HTTP_IDEMPOTENCY_KEY="k-1")
        again = create(till, HTTP_IDEMPOTENCY_KEY="k-1")

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert Customer.objects.filter(email="grace@example.com").count() == 1

    def test_a_refusal_is_replayed_too(self, till):
        body = {**GRACE, "email": "not an email"}

        first = create(till, body, HTTP_IDEMPOTENCY_KEY="k-1")
        again = create(till, body, HTTP_IDEMPOTENCY_KEY="k-1")

        assert (first.status_code, again.status_code) == (400, 400)
        assert again.json() == first.json()

    def test_a_retry_while_the_first_runs_is_a_409_saying_so(self, till, key, boston):
        register = boston.registers.get()
        IdempotentAnswer.objects.create(
            register=register, key="k-1", fingerprint=fingerprint(GRACE)
        )

        response = create(till, HTTP_IDEMPOTENCY_KEY="k-1")

        assert (response.status_code, response.json()["code"]) == (409, "request_in_progress")
        assert not Customer.objects.exists()

    def test_a_claim_whose_worker_died_is_taken_over(self, till, boston):
        register = boston.registers.get()
        IdempotentAnswer.objects.create(
            register=register, key="k-1", fingerprint=fingerprint(GRACE),
            created_at=timezone.now() - datetime.timedelta(minutes=7),
        )  # fmt: skip

        response = create(till, HTTP_IDEMPOTENCY_KEY="k-1")

        assert response.status_code == 201
        assert IdempotentAnswer.objects.get().status_code == 201

    def test_a_key_of_255_characters_is_kept_whole_and_a_longer_one_refused(self, till):
        whole = create(till, HTTP_IDEMPOTENCY_KEY="k" * 255)
        longer = create(till, {**GRACE, "email": "g2@example.com"}, HTTP_IDEMPOTENCY_KEY="k" * 256)

        assert whole.status_code == 201
        assert IdempotentAnswer.objects.get().key == "k" * 255
        assert (longer.status_code, longer.json()["code"]) == (400, "idempotency_key_invalid")
        assert not Customer.objects.filter(email="g2@example.com").exists()

    def test_keys_are_forgotten_after_idempotency_keep_hours(self, till, settings):
        settings.IDEMPOTENCY_KEEP_HOURS = 24
        create(till, HTTP_IDEMPOTENCY_KEY="k-1")

        assert remove_old_idempotent_answers(now=timezone.now() + datetime.timedelta(hours=23)) == 0
        assert remove_old_idempotent_answers(now=timezone.now() + datetime.timedelta(hours=25)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="requests race on PostgreSQL")
class TestSixteenTillsAtOnce:
    def test_one_key_sent_sixteen_times_at_once_makes_one_customer_and_one_answer(self, key):
        answers = []

        def send(number):
            response = create(till_client(key), HTTP_IDEMPOTENCY_KEY="same")
            answers.append((response.status_code, response.json()))

        assert at_once(send, threads=16) == []

        created = [body for status, body in answers if status == 201]
        waiting = [body for status, body in answers if status == 409]
        assert len(created) + len(waiting) == 16
        assert all(body == created[0] for body in created)
        assert all(body["code"] == "request_in_progress" for body in waiting)
        assert Customer.objects.filter(email="grace@example.com").count() == 1

    def test_one_email_created_by_sixteen_tills_at_once_is_one_customer_and_no_500(self, key):
        answers = []

        def send(number):
            response = create(till_client(key))
            answers.append((response.status_code, response.json()))

        assert at_once(send, threads=16) == []

        statuses = sorted(status for status, _ in answers)
        assert statuses == [201] + [400] * 15
        refused = [body for status, body in answers if status == 400]
        assert all(body["codes"]["email"] == ["duplicate_email"] for body in refused)
        assert Customer.objects.filter(email="grace@example.com").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sales/%00/",
        "/api/v1/sales/" + "R" * 65 + "/",
        "/api/v1/customers/{customer}/sales/?cursor=" + base64.b64encode(b"p=xxx").decode(),
    ],
)
def test_made_up_receipts_and_cursors_are_404s(till, boston, path):
    ada = make_customer(stores=[boston])

    response = till.get(path.format(customer=ada.pk))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.django_db
def test_a_phone_refused_is_explained_in_a_tills_words(till):
    response = create(till, {**GRACE, "phone": "123"})

    message = response.json()["phone"][0]
    assert "the country of the register's store" in message
    assert "top bar" not in response.content.decode()
