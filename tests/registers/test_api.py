"""The registers' API, as a till uses it: its key is its only credential, it finds the
customer at the counter, and reads every balance a sale may spend."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from backoffice.models import AuditEvent
from customers.models import Customer
from loyalty.services import card_assign, card_batch_generate
from registers.api.authentication import PerRegisterThrottle
from registers.models import Register
from registers.services import register_create, register_deactivate, register_reactivate
from tests.factories import OPS, make_customer, make_house_account, make_membership, make_store

pytestmark = pytest.mark.django_db

SEARCH = reverse("api_customers")


def customer_url(customer):
    return reverse("api_customer", args=[customer.pk])


@pytest.fixture
def boston():
    return make_store("Boston", code="BO01", country="US")


@pytest.fixture
def front_desk(boston):
    """The Boston store's till: (register, key)."""
    return register_create(name="Front desk", store=boston, actor=OPS)


@pytest.fixture
def till(front_desk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {front_desk[1]}", HTTP_REGISTER_DEVICE="till-1")
    return client


@pytest.fixture
def ada(boston):
    return make_customer(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="+16175550123",
        stores=[boston], loyalty_balance=120,
    )  # fmt: skip


class TestTheKeyIsTheOnlyCredential:
    def test_without_a_key_the_answer_is_401_saying_how_to_send_one(self, ada):
        response = APIClient().get(customer_url(ada))

        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "detail" in response.json()

    def test_a_made_up_key_is_refused(self, ada):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")

        assert client.get(customer_url(ada)).status_code == 401

    def test_a_deactivated_registers_key_is_refused_at_once(self, till, front_desk, ada):
        assert till.get(customer_url(ada)).status_code == 200

        register_deactivate(register=front_desk[0], actor=OPS)

        assert till.get(customer_url(ada)).status_code == 401

    def test_after_reactivation_only_the_new_key_works(self, till, front_desk, ada):
        register_deactivate(register=front_desk[0], actor=OPS)
        new_key = register_reactivate(register=front_desk[0], actor=OPS)

        assert till.get(customer_url(ada)).status_code == 401
        till.credentials(HTTP_AUTHORIZATION=f"Bearer {new_key}", HTTP_REGISTER_DEVICE="till-1")
        assert till.get(customer_url(ada)).status_code == 200

    def test_a_staff_members_session_is_not_accepted(self, manager_client, ada):
        assert manager_client.get(customer_url(ada)).status_code == 401

    def test_a_register_is_seen_when_it_calls(self, till, front_desk, ada):
        till.get(customer_url(ada))

        assert Register.objects.get().last_seen_at is not None


class TestThrottling:
    @pytest.fixture(autouse=True)
    def two_a_minute(self, monkeypatch):
        monkeypatch.setattr(PerRegisterThrottle, "THROTTLE_RATES", {"register": "2/min"})
        # The counts are kept per minute: the clock stands still, so no minute ends midway.
        monkeypatch.setattr(PerRegisterThrottle, "timer", lambda self: 1_800_000_020.0)

    def test_beyond_the_rate_a_register_gets_429_with_retry_after(self, till, ada):
        answers = [till.get(customer_url(ada)) for _ in range(3)]

        assert [answer.status_code for answer in answers] == [200, 200, 429]
        assert int(answers[2]["Retry-After"]) > 0

    def test_each_register_has_its_own_rate(self, till, boston, ada):
        for _ in range(2):
            till.get(customer_url(ada))
        _, key = register_create(name="Back counter", store=boston, actor=OPS)
        other = APIClient()
        other.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE="till-2")

        assert other.get(customer_url(ada)).status_code == 200


class TestFindingTheCustomer:
    def results(self, till, query, **params):
        response = till.get(SEARCH, {"q": query, **params})
        assert response.status_code == 200
        return response.json()

    def test_a_whole_email_finds_that_customer_alone(self, till, ada, boston):
        make_customer(first_name="Ada", last_name="Byron", stores=[boston])

        found = self.results(till, "ADA@example.com")["results"]

        assert [customer["id"] for customer in found] == [ada.pk]

    def test_a_national_phone_number_is_read_in_the_stores_country(self, till, ada):
        found = self.results(till, "(617) 555-0123")["results"]

        assert [customer["email"] for customer in found] == ["ada@example.com"]
        assert found[0]["phone"] == "+16175550123" and found[0]["stores"] == ["BO01"]

    def test_a_loyalty_card_code_finds_its_holder(self, till, ada):
        (code,) = card_batch_generate(size=1, actor=OPS).cards.values_list("code", flat=True)
        card_assign(customer=ada, code=code, actor=OPS)

        assert [customer["id"] for customer in self.results(till, code)["results"]] == [ada.pk]

    def test_names_are_found_by_part_and_paged_by_name(self, till, boston):
        for number in range(25):
            make_customer(first_name=f"Pat{number:02d}", last_name="Smithson", stores=[boston])

        first = self.results(till, "smiths")
        second = till.get(first["next"]).json()

        names = [c["first_name"] for c in first["results"] + second["results"]]
        assert names == [f"Pat{number:02d}" for number in range(25)]
        assert len(first["results"]) == 20 and second["next"] is None

    def test_nothing_typed_finds_no_one(self, till, ada):
        assert self.results(till, "   ")["results"] == []


class TestACustomersBalances:
    def test_a_customer_reads_with_every_balance_a_sale_may_use(self, till, ada, boston):
        make_membership(ada)
        make_house_account(
            ada, account_number="HA-ADA", opening_balance="12.50", period_limit_enabled=True,
            limit_period="monthly", limit_amount="100.00",
        )  # fmt: skip

        customer = till.get(customer_url(ada)).json()

        assert customer | {"membership": None} == {
            "id": ada.pk, "type": "personal", "first_name": "Ada", "last_name": "Lovelace",
            "company_name": "", "email": "ada@example.com", "phone": "+16175550123",
            "stores": ["BO01"], "email_consent": "not_asked", "sms_consent": "not_asked",
            "loyalty": {"enrolled": True, "balance": 120, "card_code": None},
            "membership": None,
            "house_accounts": [{"number": "HA-ADA", "balance": "12.50", "available": "100.00"}],
            "version": ada.version,
        }  # fmt: skip
        assert set(customer["membership"]) == {"plan", "balance", "expires_on"}

    def test_a_customer_without_accounts_has_none(self, till, boston):
        bob = make_customer(first_name="Bob", stores=[boston])

        customer = till.get(customer_url(bob)).json()

        assert customer["loyalty"] == {"enrolled": False, "balance": 0, "card_code": None}
        assert (customer["membership"], customer["house_accounts"]) == (None, [])

    def test_an_unknown_customer_is_a_404_in_json(self, till):
        response = till.get(reverse("api_customer", args=[999999]))

        assert response.status_code == 404 and "detail" in response.json()


class TestTheSchemaAndTheDocs:
    def test_the_schema_is_openapi_3_for_a_register(self, till):
        response = till.get(reverse("api_schema"), {"format": "json"})

        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/customers/{id}/" in schema["paths"]

    def test_managers_read_the_docs_served_from_here(self, manager_client):
        response = manager_client.get(reverse("api_docs"))

        assert response.status_code == 200
        text = response.content.decode()
        assert "drf_spectacular_sidecar/swagger-ui-dist" in text
        assert "cdn" not in text.lower()

    def test_store_staff_do_not(self, clerk_client):
        assert clerk_client.get(reverse("api_docs")).status_code == 403

    @pytest.mark.parametrize("name", ["api_schema", "api_docs"])
    def test_no_one_else_does(self, client, name):
        assert client.get(reverse(name)).status_code == 401


class TestCreatingAndChangingACustomer:
    def test_a_register_creates_a_customer_by_the_forms_rules_in_its_own_store(self, till, boston):
        response = till.post(
            SEARCH,
            {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
             "phone": "(617) 555-0199"},
            format="json",
        )  # fmt: skip

        assert response.status_code == 201
        created = response.json()
        assert (created["phone"], created["stores"], created["type"]) == (
            "+16175550199", ["BO01"], "personal",
        )  # fmt: skip
        event = AuditEvent.objects.get(
            object_id=created["id"], action="create", content_type__model="customer"
        )
        assert event.user_name == "Register Front desk (BO01)"

    def test_bad_input_gets_the_forms_messages_by_field(self, till, ada):
        response = till.post(
            SEARCH, {"first_name": "", "email": "ADA@example.com", "type": "business"},
            format="json",
        )  # fmt: skip

        assert response.status_code == 400
        errors = response.json()
        assert set(errors) >= {"first_name", "last_name", "email", "company_name"}
        assert "already" in errors["email"][0]

    def test_a_retried_create_with_its_idempotency_key_returns_the_first(self, till, boston):
        body = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}

        first = till.post(SEARCH, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        again = till.post(SEARCH, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        other = till.post(
            SEARCH, {**body, "email": "g2@example.com"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )

        assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
        assert again.json() == first.json()
        assert Customer.objects.filter(last_name="Hopper").count() == 1

    def test_a_change_needs_the_version_read_and_a_stale_one_gets_the_current_values(
        self, till, ada
    ):
        read = till.get(customer_url(ada)).json()
        changed = till.patch(
            customer_url(ada), {"city": "Boston", "version": read["version"]}, format="json"
        )
        stale = till.patch(
            customer_url(ada), {"city": "Cambridge", "version": read["version"]}, format="json"
        )

        assert changed.status_code == 200 and Customer.objects.get(pk=ada.pk).city == "Boston"
        assert stale.status_code == 409
        assert stale.json()["current"]["version"] == changed.json()["version"]
        assert till.patch(customer_url(ada), {"city": "X"}, format="json").status_code == 400


def test_a_body_that_is_not_an_object_is_a_400_even_with_an_idempotency_key(till):
    response = till.post(SEARCH, '"just a string"', content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="k-2")  # fmt: skip

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "code"),
    [("/api/v1/customers/?q=a%00", 400), ("/api/v1/customers/-1/", 404), ("/api/v1/nowhere/", 404)],
)
def test_every_answer_of_the_api_is_json(till, path, code):
    response = till.get(path)

    assert response.status_code == code
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
