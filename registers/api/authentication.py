"""How the API knows a register: ``Authorization: Bearer <key>``, and nothing else (a
staff member's session cookie is not accepted), and how it throttles each register."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from ..models import Register

# How often a register's "last seen" is written: not on every request.
LAST_SEEN_EVERY = datetime.timedelta(minutes=1)


class RegisterKeyAuthentication(authentication.BaseAuthentication):
    """The register whose active key the request bears is ``request.auth``; a key that
    is not one (deactivated, replaced, made up) is a 401."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the register's key after Bearer.")
        register = Register.objects.holding(parts[1].decode(errors="replace"))
        if register is None:
            raise exceptions.AuthenticationFailed(
                "This key is not an active register's: it was replaced, the register was "
                "deactivated, or the key is mistyped."
            )
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
    message = "Send a register's key: Authorization: Bearer <key>."

    def has_permission(self, request, view):
        return isinstance(request.auth, Register)


class PerRegisterThrottle(throttling.SimpleRateThrottle):
    """``API_THROTTLE_RATE`` requests per register (a 429 with Retry-After beyond)."""

    scope = "register"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, Register):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class RegisterKeyScheme(OpenApiAuthenticationExtension):
    """The key in the OpenAPI schema: an HTTP bearer token."""

    target_class = RegisterKeyAuthentication
    name = "registerKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The register's API key."}


class IsRegisterOrManager(permissions.BasePermission):
    """The schema and the interactive docs: for registers, and for staff who manage them
    (signed in to the back office)."""

    def has_permission(self, request, view):
        if isinstance(request.auth, Register):
            return True
        return request.user.is_authenticated and request.user.has_perm("registers.view_register")
