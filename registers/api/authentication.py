"""How the API knows a register and the till it runs on, and how it limits them.

A register is known by ``Authorization: Bearer <key>`` and nothing else (a staff member's
session cookie is not accepted), and the till by ``Register-Device: <id>``: an id the till
makes up once and keeps. The first device to use a key holds the register, until a
manager releases it (or reactivates the register with a new key); any other device gets a
409 ``register_in_use``.

Limits are counted in the shared cache (``CACHES``: Redis with ``REDIS_URL``, else the
database), so every worker process counts the same requests: ``API_THROTTLE_RATE`` per
register, and a few failed keys per address, after which the address is refused any key
until its window ends (a 429, whatever key it sends: a right key must not tell itself
apart). Every answer says so, in the ``RateLimit-Policy`` and ``RateLimit`` fields of
draft-ietf-httpapi-ratelimit-headers-10 (``"register";r=1187;t=42``: 1187 requests left,
the window starts again in 42 seconds).
"""

import datetime
import hashlib
import math
import re

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, status, throttling

from backoffice.http import client_ip

from ..models import Register
from ..services import register_claim

# How often a register's "last seen" is written: not on every request.
LAST_SEEN_EVERY = datetime.timedelta(minutes=1)
DEVICE_HEADER = "Register-Device"
DEVICE_ID = re.compile(r"[A-Za-z0-9._:~-]{1,100}")
# Keys refused per address before it is refused every key, unless DEFAULT_THROTTLE_RATES
# names another rate for "failed_key".
FAILED_KEY_RATE = "30/min"


class DeviceMissing(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "register_device_missing"
    default_detail = (
        f"Send a {DEVICE_HEADER} header with every request: an id this till makes up once "
        "(a UUID, say; up to 100 letters, digits and . _ : ~ -), keeps, and sends every time."
    )


class RegisterInUse(exceptions.APIException):
    """Another device holds the register. Its id is not told: with the key, it is what a
    device needs to pass for the holder."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "register_in_use"

    def __init__(self, register):
        since, seen = (
            timezone.localtime(moment) if moment else None
            for moment in (register.device_since, register.last_seen_at)
        )
        super().__init__(
            {
                "code": self.default_code,
                "detail": (
                    f"Another device has held this register since {since:%Y-%m-%d %H:%M %Z}"
                    + (f", and was last seen at {seen:%Y-%m-%d %H:%M %Z}" if seen else "")
                    + ". To use it on this device, a manager releases the other one on the "
                    "register's page in the back office (Release the device)."
                ),
                "held_since": since.isoformat(),
                "last_seen_at": seen.isoformat() if seen else None,
            }
        )


class RegisterKeyAuthentication(authentication.BaseAuthentication):
    """The register whose active key the request bears is ``request.auth``, once the
    device sending it holds the register. A key that is not one (deactivated, replaced,
    made up) is a 401 and counts against the address's failed keys."""

    keyword = b"bearer"

    def authenticate(self, request):
        failed_keys = FailedKeyThrottle()
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            failed_keys.announce(request, count=False)
            return None
        if not failed_keys.announce(request, count=False):
            raise exceptions.Throttled(failed_keys.wait(), "Too many wrong keys from here.")
        if len(parts) != 2:
            failed_keys.announce(request)
            raise exceptions.AuthenticationFailed("Send the register's key after Bearer.")
        register = Register.objects.holding(parts[1].decode(errors="replace"))
        if register is None:
            failed_keys.announce(request)
            raise exceptions.AuthenticationFailed(
                "This key is not an active register's: it was replaced, the register was "
                "deactivated, or the key is mistyped."
            )
        device = request.headers.get(DEVICE_HEADER, "").strip()
        if not DEVICE_ID.fullmatch(device):
            raise DeviceMissing()
        if not register_claim(register=register, device=device):
            raise RegisterInUse(register)
        seen(register)
        return AnonymousUser(), register

    def authenticate_header(self, request):
        return 'Bearer realm="registers"'


def seen(register):
    now = timezone.now()
    if register.last_seen_at is None or now - register.last_seen_at > LAST_SEEN_EVERY:
        Register.objects.filter(pk=register.pk).update(last_seen_at=now)
        register.last_seen_at = now


class IsRegister(permissions.BasePermission):
    message = f"Send a register's key, Authorization: Bearer <key>, and {DEVICE_HEADER}: <id>."

    def has_permission(self, request, view):
        return isinstance(request.auth, Register)


class SharedWindowThrottle(throttling.SimpleRateThrottle):
    """At most ``num_requests`` per window of ``duration`` seconds, counted in the shared
    cache: one counter per partition and window, added to atomically on Redis (on the
    database cache, a read then a write). Windows start at the same moments in every
    process. Each count is announced in the answer's RateLimit fields."""

    cache = cache

    def identity(self, request):
        raise NotImplementedError

    def announce(self, request, *, count=True):
        """Count the request (unless ``count`` is false: only read), put the policy in the
        answer's fields, and return whether the partition is still within its quota."""
        now = self.timer()
        start = int(now // self.duration) * self.duration
        self.reset = max(1, math.ceil(start + self.duration - now))
        ident = hashlib.sha256(str(self.identity(request)).encode()).hexdigest()[:32]
        key = f"ratelimit:{self.scope}:{ident}:{start}"
        used = self.add_one(key) if count else self.cache.get(key, 0)
        announce(request, self.scope, remaining=max(0, self.num_requests - used), reset=self.reset)
        return used <= self.num_requests if count else used < self.num_requests

    def add_one(self, key):
        try:
            return self.cache.incr(key)
        except ValueError:  # the window's first request
            if self.cache.add(key, 1, self.duration + 1):
                return 1
            return self.cache.incr(key)

    def wait(self):
        return self.reset


class PerRegisterThrottle(SharedWindowThrottle):
    """``API_THROTTLE_RATE`` requests per register (a 429 with Retry-After beyond)."""

    scope = "register"

    def identity(self, request):
        return request.auth.pk

    def allow_request(self, request, view):
        if not isinstance(request.auth, Register):
            return True
        return self.announce(request)


class FailedKeyThrottle(SharedWindowThrottle):
    """Wrong keys per address (``backoffice.http.client_ip``); counted by the
    authentication, which refuses every key from an address past its quota."""

    scope = "failed_key"

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope, FAILED_KEY_RATE)

    def identity(self, request):
        return client_ip(request)


def announce(request, policy, *, remaining, reset):
    """Put ``policy``'s service limit in the RateLimit field of the answer to ``request``,
    and every policy in RateLimit-Policy (the same on every answer). A DRF view adds its
    ``headers`` to whatever it answers, errors included."""
    view = (request.parser_context or {}).get("view")
    if view is None:
        return
    limits = getattr(view, "rate_limits", {})
    limits[policy] = f'"{policy}";r={remaining};t={reset}'
    view.rate_limits = limits
    view.headers["RateLimit-Policy"] = ", ".join(
        f'"{throttle.scope}";q={throttle.num_requests};w={throttle.duration}'
        for throttle in (PerRegisterThrottle(), FailedKeyThrottle())
    )
    view.headers["RateLimit"] = ", ".join(limits.values())


class RegisterKeyScheme(OpenApiAuthenticationExtension):
    """The key and the device in the OpenAPI schema: both are sent with every request."""

    target_class = RegisterKeyAuthentication
    name = ["registerKey", "registerDevice"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer", "description": "The register's API key."},
            {
                "type": "apiKey",
                "in": "header",
                "name": DEVICE_HEADER,
                "description": (
                    "An id the till makes up once and keeps (a UUID, say; up to 100 letters, "
                    "digits and `. _ : ~ -`), sent with every request. The first device to "
                    "use a key holds the register; another device is answered 409 with the "
                    "code `register_in_use`, `held_since` and `last_seen_at`, until a "
                    "manager releases the register (Release the device). Without it: 400."
                ),
            },
        ]


class IsRegisterOrManager(permissions.BasePermission):
    """The schema and the interactive docs: for registers, and for staff who manage them
    (signed in to the back office)."""

    def has_permission(self, request, view):
        if isinstance(request.auth, Register):
            return True
        return request.user.is_authenticated and request.user.has_perm("registers.view_register")
