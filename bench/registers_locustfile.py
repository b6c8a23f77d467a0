"""Registers at work, for locust: each simulated till finds a customer, reads them and
records a sale, with points redeemed now and then and a house account charge for those
who have one. Half of the sales are sent twice, as a till that lost the answer does: the
second answer must be 200 with the first one's body.

Run by bench/registers.py, which gives each till a key (``REGISTER_KEYS``), the customers
to serve (``BENCH_CUSTOMERS``, a JSON file), the ways to find them (``BENCH_LOOKUPS``) and
where to write the receipts that were recorded (``BENCH_RECEIPTS``).
"""

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path

from locust import HttpUser, constant, events, task

KEYS = os.environ["REGISTER_KEYS"].split(",")
CUSTOMERS = json.loads(Path(os.environ["BENCH_CUSTOMERS"]).read_text())
LOOKUPS = os.environ["BENCH_LOOKUPS"].split(",")
tills = itertools.count()
recorded = []


class Register(HttpUser):
    wait_time = constant(0)  # a till as busy as it can be: the server's capacity

    def on_start(self):
        number = next(tills) % len(KEYS)
        # One device per register: the simulated tills sharing a key share its device.
        self.client.headers["Authorization"] = f"Bearer {KEYS[number]}"
        self.client.headers["Register-Device"] = f"bench-till-{number}"

    @task
    def sale(self):
        person = random.choice(CUSTOMERS)
        lookup = random.choice([way for way in LOOKUPS if person.get(way)] or ["email"])
        self.client.get(
            "/api/v1/customers/", params={"q": person[lookup]}, name=f"find by {lookup}"
        )
        customer = self.client.get(f"/api/v1/customers/{person['id']}/", name="customer").json()
        sale = {
            "id": uuid.uuid4().hex[:24],
            "customer": person["id"],
            "total": f"{random.randint(500, 9000) / 100:.2f}",
            "occurred_at": datetime.now(UTC).isoformat(),
        }
        # Small enough that another till's redemption at the same moment leaves enough.
        if customer["loyalty"]["balance"] >= 1000 and random.random() < 0.3:
            sale["points_redeemed"] = 50
        if customer["house_accounts"]:
            sale["house_account"] = customer["house_accounts"][0]["number"]
            sale["house_account_amount"] = "5.00"
        first = self.send(sale, "record a sale", 201)
        if first is not None:
            recorded.append(sale["id"])
            if random.random() < 0.5:
                again = self.send(sale, "the same sale again", 200)
                if again is not None and again != first:
                    events.request.fire(
                        request_type="CHECK", name="same answer", response_time=0,
                        response_length=0, exception=AssertionError("another answer"),
                    )  # fmt: skip

    def send(self, sale, name, expected):
        with self.client.post(
            "/api/v1/sales/", json=sale, name=name, catch_response=True
        ) as response:
            if response.status_code != expected:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json()


@events.quitting.add_listener
def write_receipts(environment, **kwargs):
    Path(os.environ["BENCH_RECEIPTS"]).write_text("\n".join(recorded))
