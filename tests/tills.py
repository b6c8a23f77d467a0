"""The registers' API as a till calls it: the register's key, and the id of the device the
till runs on (``Register-Device``), on every request."""

from rest_framework.test import APIClient

DEVICE = "till-device-1"


def till_client(key, device=DEVICE):
    """An API client bearing ``key`` from ``device``: the first device to use a key holds
    its register, so a second till of one register needs another ``device``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE=device)
    return client


def till_headers(key, device=DEVICE):
    """The same, as the headers of a plain HTTP client (Schemathesis, Locust)."""
    return {"Authorization": f"Bearer {key}", "Register-Device": device}
