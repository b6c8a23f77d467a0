"""The API's limits are counted in the cache every worker process shares, wrong keys are
limited per address, and every answer carries the RateLimit-Policy and RateLimit fields
of draft-ietf-httpapi-ratelimit-headers-10."""

import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from backoffice.audit import Actor
from registers.api.authentication import PerRegisterThrottle, SharedWindowThrottle
from registers.services import register_create
from tests.factories import make_store
from tests.tills import till_client

pytestmark = pytest.mark.django_db

SEARCH = reverse("api_customers")
# "name";q=<quota>;w=<window>, and "name";r=<remaining>;t=<seconds until it starts again>
POLICY = re.compile(r'"(\w+)";q=(\d+);w=(\d+)')
LIMIT = re.compile(r'"(\w+)";r=(\d+);t=(\d+)')


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    """Two requests a minute per register, three wrong keys a minute per address, and a
    clock standing still 20 seconds into a minute."""
    rates = {"register": "2/min", "failed_key": "3/min"}
    monkeypatch.setattr(PerRegisterThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(SharedWindowThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(SharedWindowThrottle, "timer", lambda self: 1_800_000_020.0)


@pytest.fixture
def key():
    boston = make_store("Boston", code="BO01")
    return register_create(name="Front desk", store=boston, actor=Actor("tests"))[1]


def fields(response):
    policies = {
        name: (int(q), int(w)) for name, q, w in POLICY.findall(response["RateLimit-Policy"])
    }
    limits = {name: (int(r), int(t)) for name, r, t in LIMIT.findall(response["RateLimit"])}
    return policies, limits


def wrong_key(address="10.0.0.1"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-key", HTTP_REGISTER_DEVICE="till-x")
    return client


def test_beyond_the_rate_a_register_gets_429_and_every_answer_says_how_far_it_is(key):
    till = till_client(key)

    answers = [till.get(SEARCH) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"] == "40"
    for answer, remaining in zip(answers, [1, 0, 0], strict=True):
        policies, limits = fields(answer)
        assert policies == {"register": (2, 60), "failed_key": (3, 60)}
        assert limits["register"] == (remaining, 40)


@pytest.mark.parametrize(
    ("client", "status"),
    [(APIClient, 401), (wrong_key, 401)],
    ids=["no key", "wrong key"],
)
def test_refusals_carry_the_fields_too(client, status):
    response = client().get(SEARCH)

    assert response.status_code == status
    assert fields(response)[0] == {"register": (2, 60), "failed_key": (3, 60)}
    assert "failed_key" in fields(response)[1]


def test_a_missing_device_and_a_missing_customer_carry_them(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert fields(client.get(SEARCH))[1]["failed_key"] == (3, 40)

    missing = till_client(key).get(reverse("api_customer", args=[10**9]))
    assert missing.status_code == 404
    assert fields(missing)[1]["register"] == (1, 40)


def test_wrong_keys_are_limited_per_address_then_even_a_right_key_waits(key):
    answers = [wrong_key().get(SEARCH) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [401] * 3
    assert [fields(answer)[1]["failed_key"][0] for answer in answers] == [2, 1, 0]

    refused = till_client(key)
    refused.defaults["REMOTE_ADDR"] = "10.0.0.1"
    response = refused.get(SEARCH)

    assert response.status_code == 429 and response["Retry-After"] == "40"
    elsewhere = till_client(key)
    elsewhere.defaults["REMOTE_ADDR"] = "10.0.0.2"
    assert elsewhere.get(SEARCH).status_code == 200


def test_the_counts_are_kept_in_the_database_not_in_the_process(key):
    if not connection.settings_dict["ENGINE"].endswith(("sqlite3", "postgresql")):
        pytest.skip("the database cache's table")
    till_client(key).get(SEARCH)

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM backoffice_cache")
        keys = [row[0] for row in cursor.fetchall()]

    assert any("ratelimit:register:" in cache_key for cache_key in keys)


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [("redis://127.0.0.1:6379/0", "redis.RedisCache"), ("", "db.DatabaseCache")],
)
def test_the_cache_is_redis_with_redis_url_else_the_database(redis_url, backend):
    shown = subprocess.run(
        [sys.executable, "-c", "from backoffice import settings; "
         "print(settings.CACHES['default']['BACKEND'])"],
        env={**os.environ, "REDIS_URL": redis_url}, capture_output=True, text=True, check=True,
    )  # fmt: skip

    assert shown.stdout.strip() == f"django.core.cache.backends.{backend}"
