"""Store staff at work, for locust: lists, searches, customer pages and saves.

Run by bench/load.py against gunicorn; each simulated user signs in as the demo manager
and then, with a second or less between requests, mostly reads and sometimes saves.
"""

import random
import re

from locust import HttpUser, between, task

from tests.forms import form_values

FIRST_NAMES = ["Amelia", "Noah", "Olivia", "Liam", "Sofia", "Mateo", "Hiro", "Aisha"]
FRAGMENTS = ["akamu", "garc", "okaf", "ller", "ross", "C-1012", "555"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class StoreStaff(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.client.verify = False  # bench/load.py's throwaway certificate
        page = self.client.get("/accounts/login/", name="sign in page")
        self.client.post(
            "/accounts/login/",
            {
                "username": "demo",
                "password": "retail-demo-2026",
                "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
        )
        self.customer_ids = [
            int(pk) for pk in re.findall(r'name="selected" value="(\d+)"', self.list_page().text)
        ]

    def list_page(self, query=""):
        return self.client.get(f"/customers/?store=all{query}", name="list")

    @task(4)
    def browse(self):
        page = self.list_page(random.choice(["", "&sort=name", "&loyalty=enrolled"]))
        cursor = re.search(r'rel="next" href="([^"]+)"', page.text)
        if cursor:
            self.client.get("/customers/" + cursor.group(1).replace("&amp;", "&"), name="next page")

    @task(3)
    def search(self):
        term = random.choice(FIRST_NAMES + FRAGMENTS)
        self.client.get(f"/customers/?q={term}", name="search")

    @task(3)
    def customer_page(self):
        self.client.get(f"/customers/{random.choice(self.customer_ids)}/", name="customer page")

    @task(1)
    def save(self):
        pk = random.choice(self.customer_ids)
        form = self.client.get(f"/customers/{pk}/edit/", name="edit page").text
        data = form_values(form, "customer-form")
        data["city"] = random.choice(["Austin", "Boston", "Denver"])
        self.client.post(
            f"/customers/{pk}/edit/",
            data,
            headers={"Referer": f"{self.host}/customers/{pk}/edit/"},
            name="save",
        )
