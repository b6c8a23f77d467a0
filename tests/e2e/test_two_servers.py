"""The production shape past one machine: two stateless gunicorn servers sharing one
PostgreSQL database and one media folder, as a load balancer would put them.

Each server is started as in production (DEBUG=0, collected static files, HTTPS with a
throwaway certificate so that secure cookies work), on its own port. One browser signs in
on the first and is then signed in on the second (cookies go to a host whatever its port,
as behind one address); a photo uploaded through one is served by the other; a stale edit
saved through one is refused by the other.
"""

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.client import HTTPSConnection, IncompleteRead
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from customers.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME
from customers.models import Customer
from tests.e2e.conftest import PASSWORD, PROJECT_ROOT
from tests.e2e.test_customer_flows import photo_file
from tests.factories import make_customer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="servers share a PostgreSQL database"
)
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url, process, seconds=30):
    context = ssl._create_unverified_context()  # the throwaway certificate
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/accounts/login/", context=context, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def production_environment(tmp_path, media_root):
    """The environment both servers get: the test database, one media folder, one secret."""
    settings_dict = connection.settings_dict
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "two-servers-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": (
            f"postgresql://{settings_dict['USER']}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        ),
        "MEDIA_ROOT": str(media_root),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=PROJECT_ROOT, env=environment, check=True,
    )  # fmt: skip
    return environment, certificate, key


@pytest.fixture
def two_servers(production_environment):
    environment, certificate, key = production_environment
    servers, urls = [], []
    for _ in range(2):
        port = free_port()
        servers.append(
            subprocess.Popen(
                [str(GUNICORN), "backoffice.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "1", "--certfile", str(certificate), "--keyfile", str(key)],
                cwd=PROJECT_ROOT, env=environment,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
        )  # fmt: skip
        urls.append(f"https://127.0.0.1:{port}")
    try:
        for url, server in zip(urls, servers, strict=True):
            wait_until_serving(url, server)
        yield list(zip(urls, servers, strict=True))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(ignore_https_errors=True)
    yield context
    context.close()


def test_two_servers_share_sessions_photos_and_versions(
    two_servers, browser_context, manager_user, stores, tmp_path
):
    (first, _), (second, _) = two_servers
    customer = make_customer(first_name="Grace", last_name="Hopper", stores=stores[:1])
    edit_path = reverse("customers:edit", args=[customer.pk])
    page = browser_context.new_page()
    page.set_default_timeout(15_000)

    # Signed in through the first server, the session works on the second.
    page.goto(first + reverse("login"))
    sign_in_here(page, first)
    page.goto(second + reverse("customers:list"))
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()

    # A photo uploaded through the first server is served by the second.
    page.goto(first + edit_path)
    page.get_by_label("Photo").set_input_files(photo_file(tmp_path))
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Customer “Grace Hopper” was updated.")).to_be_visible()
    photo = page.request.get(second + reverse("customers:photo", args=[customer.pk]))
    assert photo.status == 200
    assert photo.headers["content-type"].startswith("image/")

    # A form loaded from the first server, saved after a save through the second: refused.
    stale = browser_context.new_page()
    stale.goto(first + edit_path)
    page.goto(second + edit_path)
    page.get_by_label("City").fill("Boston")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Customer “Grace Hopper” was updated.")).to_be_visible()
    stale.get_by_label("City").fill("Chicago")
    stale.get_by_role("button", name="Update").click()
    expect(stale.get_by_text("You saved this customer in another window")).to_be_visible()
    assert Customer.objects.get(pk=customer.pk).city == "Boston"


def sign_in_here(page, base_url):
    """The conftest's sign-in, on a server of this test's own."""
    page.get_by_label("Username").fill("mona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}{reverse('customers:list')}**")


def test_an_export_cut_short_does_not_look_complete(two_servers, transactional_db):
    """A worker stopped mid-export (gunicorn's timeout, a crash) leaves the response without
    its final HTTP chunk: the client's read fails, as a browser's download fails."""
    call_command("seed_demo", customers=50_000, stores=3, batch_size=10_000)
    (url, server), _ = two_servers
    connection_ = HTTPSConnection(urlparse(url).netloc, context=ssl._create_unverified_context())
    cookies = sign_in_over_http(connection_, url)

    connection_.request("GET", "/customers/export.csv?store=all", headers={"Cookie": cookies})
    response = connection_.getresponse()
    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.read(65536).startswith(b"id,customer_type,")
    # The export (about 11 MB) is still being written: more than the socket buffers hold.
    for worker in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
        os.kill(int(worker), signal.SIGKILL)

    with pytest.raises(IncompleteRead):
        response.read()


def sign_in_over_http(connection_, url):
    """Sign in as the demo manager; the session's cookies as a Cookie header."""
    connection_.request("GET", reverse("login"))
    page = connection_.getresponse()
    cookies = with_cookies_set_by(page, {})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    connection_.request(
        "POST",
        reverse("login"),
        urlencode(
            {"username": DEMO_USERNAME, "password": DEMO_PASSWORD,
             "csrfmiddlewaretoken": token.group(1)}
        ),
        headers={
            "Cookie": as_cookie_header(cookies),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{url}{reverse('login')}",
        },
    )  # fmt: skip
    signed_in = connection_.getresponse()
    signed_in.read()
    assert signed_in.status == 302
    return as_cookie_header(with_cookies_set_by(signed_in, cookies))


def with_cookies_set_by(response, cookies):
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies = {**cookies, key: rest.split(";")[0]}
    return cookies


def as_cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())
