"""Security against bad input and the wrong people: CSRF, sessions, passwords, sign-in
throttling, headers, production settings, HTML in data, and all-or-nothing saves."""

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from loyalty.models import LoyaltyLedgerEntry
from tests.factories import make_customer, make_user

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def production_env(**overrides):
    """The environment of a production start: DEBUG off, a real secret, a host name."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "backoffice.example.com",
        **overrides,
    }
    # Not from production: the test run's own database and the browser tests' async switch.
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture
def csrf_client(superuser):
    """May do everything, so that a 403 can only come from the missing CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    return client


class TestCsrf:
    @pytest.mark.parametrize(
        "url_name",
        [
            "customers:create",
            "customers:bulk_delete",
            "customers:restore",
            "customers:purge",
            "stores:choose",
            "logout",
        ],
    )
    def test_post_without_token_is_refused(self, csrf_client, url_name, downtown):
        response = csrf_client.post(reverse(url_name), {"store": downtown.pk})

        assert response.status_code == 403

    def test_edit_and_sign_in_need_the_token_too(self, csrf_client, downtown):
        customer = make_customer(first_name="Kept", stores=[downtown])

        edit = csrf_client.post(reverse("customers:edit", args=[customer.pk]), {"first_name": "X"})
        login = Client(enforce_csrf_checks=True).post(
            reverse("login"), {"username": "manager", "password": "whatever"}
        )

        assert (edit.status_code, login.status_code) == (403, 403)
        customer.refresh_from_db()
        assert customer.first_name == "Kept"

    def test_post_with_the_token_from_the_page_works(self, csrf_client, downtown):
        page = csrf_client.get(reverse("customers:list"))
        token = page.context["csrf_token"]

        response = csrf_client.post(
            reverse("stores:choose"), {"store": downtown.pk, "csrfmiddlewaretoken": str(token)}
        )

        assert response.status_code == 302


class TestSessions:
    def test_session_lasts_a_working_day_at_most(self):
        assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
        assert settings.SESSION_COOKIE_HTTPONLY

    def test_expired_session_is_sent_to_sign_in(self, clerk_client):
        assert clerk_client.get(reverse("customers:list")).status_code == 200
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

        response = clerk_client.get(reverse("customers:list"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_signing_out_ends_the_session(self, clerk_client):
        clerk_client.post(reverse("logout"))

        assert clerk_client.get(reverse("customers:list")).status_code == 302


class TestPasswords:
    def test_weak_new_password_is_refused(self, client, db):
        user = make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        client.force_login(user)

        response = client.post(
            reverse("password_change"),
            {
                "old_password": "Correct-Horse-42",
                "new_password1": "password",
                "new_password2": "password",
            },
        )

        assert response.status_code == 200
        assert "This password is too common." in response.content.decode()
        user.refresh_from_db()
        assert user.check_password("Correct-Horse-42")


@pytest.mark.django_db
class TestSignInThrottling:
    def sign_in(self, client, username, password):
        return client.post(reverse("login"), {"username": username, "password": password})

    def test_repeated_failures_lock_that_user_with_a_clear_message(self, client):
        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert self.sign_in(client, "carla", "wrong").status_code == 200

        locked = self.sign_in(client, "carla", "wrong")
        even_right = self.sign_in(client, "carla", "Correct-Horse-42")

        assert locked.status_code == 429
        assert "Too many failed sign-in attempts" in locked.content.decode()
        assert "paused for 15 minutes after 5 wrong passwords" in locked.content.decode()
        assert even_right.status_code == 429

    def test_lockout_does_not_lock_out_other_users(self, client):
        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        make_user("mona", password="Another-Secret-7", groups=["Managers"])
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(client, "carla", "wrong")

        response = self.sign_in(client, "mona", "Another-Secret-7")

        assert response.status_code == 302
        assert response.url == reverse("customers:list")

    def test_lock_lifts_after_the_cool_off(self, client):
        from axes.models import AccessAttempt

        make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(client, "carla", "wrong")
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
        )

        assert self.sign_in(client, "carla", "Correct-Horse-42").status_code == 302


class TestHeaders:
    def test_pages_send_the_security_headers(self, clerk_client):
        response = clerk_client.get(reverse("customers:list"))

        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert script_src.split() == ["script-src", "'self'"]
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in policy

    def test_templates_hold_no_inline_script(self):
        for template in (PROJECT_ROOT / "templates").rglob("*.html"):
            html = template.read_text()
            assert "<script>" not in html, template
            assert " on" + "click=" not in html, template

    def test_production_settings_pass_check_deploy(self):
        env = production_env()
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues (0 silenced)." in result.stdout

    def test_production_sends_hsts_over_https(self, tmp_path):
        env = production_env(
            DJANGO_SETTINGS_MODULE="backoffice.settings", STATIC_ROOT=str(tmp_path)
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
        )
        code = (
            "import django; django.setup();"
            "from django.test import Client;"
            "r = Client().get('/accounts/login/', secure=True, HTTP_HOST='backoffice.example.com');"
            "print(r.status_code, r.headers.get('Strict-Transport-Security'));"
            "r = Client().get('/accounts/login/', HTTP_HOST='backoffice.example.com');"
            "print(r.status_code, r.headers.get('Location'))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )

        assert result.returncode == 0, result.stderr
        https, http = result.stdout.splitlines()[-2:]
        assert https == "200 max-age=31536000; includeSubDomains; preload", result.stderr
        assert http == "301 https://backoffice.example.com/accounts/login/"

    def test_production_refuses_to_start_without_a_secret_key(self):
        env = production_env()
        env.pop("SECRET_KEY")

        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

        assert result.returncode != 0
        assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


class TestHtmlInData:
    """Names and notes holding HTML or JavaScript are shown as text, never run."""

    @pytest.fixture
    def hostile(self, downtown):
        return make_customer(
            first_name=HOSTILE,
            last_name="Smith",
            notes=HOSTILE,
            stores=[downtown],
            loyalty_balance=5,
        )

    def assert_shown_as_text(self, response):
        html = response.content.decode()
        assert HOSTILE not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html

    def test_list(self, manager_client, hostile):
        self.assert_shown_as_text(manager_client.get(reverse("customers:list")))

    def test_customer_page(self, manager_client, hostile):
        self.assert_shown_as_text(
            manager_client.get(reverse("customers:detail", args=[hostile.pk]))
        )

    def test_edit_form_and_delete_confirmation(self, manager_client, hostile):
        self.assert_shown_as_text(manager_client.get(reverse("customers:edit", args=[hostile.pk])))
        self.assert_shown_as_text(
            manager_client.post(reverse("customers:bulk_delete"), {"selected": hostile.pk})
        )

    def test_admin(self, client, superuser, hostile):
        client.force_login(superuser)

        self.assert_shown_as_text(client.get(reverse("admin:customers_customer_changelist")))
        self.assert_shown_as_text(
            client.get(reverse("admin:customers_customer_change", args=[hostile.pk]))
        )

    def test_csv_keeps_the_text_as_typed(self, manager_client, hostile):
        response = manager_client.get(reverse("customers:export"))

        body = b"".join(response.streaming_content).decode()
        assert HOSTILE.replace('"', '""') in body


@pytest.mark.django_db(transaction=True)
def test_failure_after_the_customer_row_leaves_nothing_behind(monkeypatch, downtown):
    """A save that fails halfway rolls back the customer, its store links and the ledger."""
    clerk = make_user("clerk", groups=["Store staff"])
    client = Client(raise_request_exception=True)
    client.force_login(clerk)

    def failing_loyalty_update(**kwargs):
        assert Customer.objects.filter(email="ada@example.com").exists()  # row was written
        raise RuntimeError("disk full")

    monkeypatch.setattr("customers.services.loyalty_update", failing_loyalty_update)

    with pytest.raises(RuntimeError, match="disk full"):
        client.post(
            reverse("customers:create"),
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "stores": downtown.pk,
                "loyalty_enrolled": "on",
                "loyalty_balance": "100",
                "loyalty_reason": "Welcome",
            },
        )

    assert not Customer.all_objects.exists()
    assert not Customer.stores.through.objects.exists()
    assert not LoyaltyLedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_failure_during_an_update_keeps_the_stored_customer(monkeypatch, downtown, riverside):
    clerk = make_user("clerk", groups=["Store staff"])
    customer = make_customer(first_name="Kept", stores=[downtown], loyalty_balance=10)
    client = Client(raise_request_exception=True)
    client.force_login(clerk)
    monkeypatch.setattr(
        "customers.services.loyalty_update",
        lambda **kwargs: (_ for _ in ()).throw(RuntimeError("disk full")),
    )

    entries = LoyaltyLedgerEntry.objects.count()
    with pytest.raises(RuntimeError):
        client.post(
            reverse("customers:edit", args=[customer.pk]),
            {
                "first_name": "Changed",
                "last_name": customer.last_name,
                "email": customer.email,
                "stores": riverside.pk,
                "version": customer.version,
                "loyalty_enrolled": "on",
                "loyalty_balance": "99",
                "loyalty_reason": "Bonus",
            },
        )

    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.first_name, customer.version) == ("Kept", 1)
    assert list(customer.stores.all()) == [downtown]
    assert customer.loyalty_account.balance == 10
    assert LoyaltyLedgerEntry.objects.count() == entries


class TestThePasswordPagesAreTheApps:
    """Changing one's password happens in the back office's own layout: Django's page is
    the admin's, whose Home link led staff to an admin that told them they may not."""

    def test_the_change_page_is_reached_from_my_settings_in_the_apps_layout(self, clerk_client):
        settings_page = clerk_client.get(reverse("stores:settings")).content.decode()
        assert reverse("password_change") in settings_page

        page = clerk_client.get(reverse("password_change")).content.decode()

        assert "Change your password" in page
        assert "Django administration" not in page
        assert 'href="/admin/' not in page
        assert "Sign out" in page  # the app's top bar

    def test_a_changed_password_says_so_in_the_apps_layout(self, client, db):
        user = make_user("carla", password="Correct-Horse-42", groups=["Store staff"])
        client.force_login(user)

        response = client.post(
            reverse("password_change"),
            {"old_password": "Correct-Horse-42", "new_password1": "Brand-New-Secret-91",
             "new_password2": "Brand-New-Secret-91"},
            follow=True,
        )  # fmt: skip

        page = response.content.decode()
        assert "Password changed" in page and "Django administration" not in page
        user.refresh_from_db()
        assert user.check_password("Brand-New-Secret-91")
