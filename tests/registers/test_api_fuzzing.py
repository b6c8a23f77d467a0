"""The API checked against its own OpenAPI schema by a tool we did not write: Schemathesis
sends what the schema allows and what it does not (negative cases), alone and in
sequences (stateful: a customer created, then read, then changed), and fails on any 5xx,
on any answer the schema does not describe, and on bad input accepted. (Input the schema
allows may still be refused: the customer form's rules, a valid phone number or an email
no one else has, are more than a schema can say.)"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings

from registers.api.authentication import PerRegisterThrottle
from registers.services import register_create
from tests.factories import OPS, make_customer, make_store
from tests.tills import till_headers

EXAMPLES = 30  # per operation and mode: a minute in all on SQLite


@pytest.fixture(autouse=True)
def one_connection_for_test_and_app():
    """The app is called in this process, in the test's transaction: as Django's test
    client does, the end of a request must not close the test's database connection."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    monkeypatch.setattr(PerRegisterThrottle, "THROTTLE_RATES", {"register": "100000/min"})


@pytest.fixture
def register_key(db):
    boston = make_store("Boston", code="BO01", country="US")
    make_customer(first_name="Ada", last_name="Lovelace", stores=[boston], loyalty_balance=50)
    return register_create(name="Front desk", store=boston, actor=OPS)[1]


@pytest.fixture
def api_schema(register_key):
    """The schema as the API serves it to a register, calls made in this process. Every
    call bears the register's key and device (calls without them: test_api.py,
    test_devices.py), and unknown query
    parameters are left out: the API ignores them, as HTTP servers do."""
    loaded = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        get_wsgi_application(),
        headers=till_headers(register_key),
    )
    loaded.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    return loaded


# Input the schema allows that the form refuses; and a check that every call's key was
# refused, when each call here bears a valid one.
BEYOND_THE_SCHEMA = [schemathesis.checks.positive_data_acceptance, schemathesis.checks.ignored_auth]
FUZZING = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_every_operation_answers_as_its_schema_says(api_schema, register_key, mode):
    auth = till_headers(register_key)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {operation.label for operation in operations} >= {
        "GET /api/v1/customers/", "POST /api/v1/customers/", "GET /api/v1/customers/{id}/",
        "PATCH /api/v1/customers/{id}/", "POST /api/v1/sales/",
    }  # fmt: skip
    for operation in operations:

        @FUZZING
        @given(case=operation.as_strategy(generation_mode=mode))
        def answers_as_described(case):
            case.call_and_validate(headers=auth, excluded_checks=BEYOND_THE_SCHEMA)

        answers_as_described()


def test_sequences_of_calls_answer_as_the_schema_says(api_schema, register_key):
    machine = api_schema.as_state_machine()

    class Calls(machine):
        """Each sequence starts from the same data: what one sequence wrote is rolled back
        before the next (Hypothesis replays sequences, and needs them to behave the same)."""

        def setup(self):
            self.sequence = transaction.atomic()
            self.sequence.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.sequence.__exit__(None, None, None)

        def get_call_kwargs(self, case):
            return {"headers": till_headers(register_key)}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, excluded_checks=BEYOND_THE_SCHEMA)

    Calls.run(settings=settings(FUZZING, stateful_step_count=5, max_examples=EXAMPLES))
