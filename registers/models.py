import hashlib
import secrets

from django.db import models
from django.urls import reverse
from django.utils import timezone

from stores.actors import held_store_ids, is_chain_wide


def key_hash(key):
    """How a register's key is kept: its SHA-256. A key is 256 random bits, so a fast hash
    is enough; a stolen table gives no key."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key():
    """(key, its first 8 characters, its hash): the key is shown once and never stored."""
    key = secrets.token_urlsafe(32)
    return key, key[:8], key_hash(key)


class RegisterQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The registers ``actor`` may see and manage: those of the stores it holds, or every
        one with ``customers.view_all_stores``."""
        if is_chain_wide(actor):
            return self
        return self.filter(store_id__in=held_store_ids(actor))

    def holding(self, key):
        """The active register whose key this is, or None."""
        if not key:
            return None
        return self.select_related("store").filter(key_hash=key_hash(key), is_active=True).first()


class Register(models.Model):
    """A till of a store, which the API knows by its key. Only the key's hash and its
    first 8 characters (to tell keys apart) are kept; a deactivated register's key is
    refused, and reactivating issues a new one. One device at a time uses the key: the
    first to send it (``registers.api.authentication``), until a manager releases it."""

    name = models.CharField(max_length=100)
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="registers")
    key_prefix = models.CharField("key", max_length=8, help_text="The key's first 8 characters.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("active", default=True)
    last_seen_at = models.DateTimeField("last seen", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # The one device (its ``Register-Device`` id) whose requests the key answers, from its
    # first request until the device is released; blank while no device holds it.
    device = models.CharField(max_length=100, blank=True)
    device_since = models.DateTimeField("device since", null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    # What a till may do as an actor (``stores.actors``): find, create and change its
    # store's customers, and record their sales. Nothing of another store's.
    PERMISSIONS = frozenset(
        {"customers.view_customer", "customers.add_customer", "customers.change_customer",
         "sales.add_sale"}
    )  # fmt: skip
    is_authenticated = False

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="one_register_name_per_store")
        ]

    def __str__(self):
        return f"Register {self.name} ({self.store.code})"

    def get_absolute_url(self):
        return reverse("registers:detail", args=[self.pk])

    def has_perm(self, perm):
        return perm in self.PERMISSIONS

    def held_store_ids(self):
        return [self.store_id]

    @property
    def status(self):
        return "Active" if self.is_active else "Deactivated"


class IdempotentAnswer(models.Model):
    """A request with an ``Idempotency-Key``, claimed before its work is done, then the
    answer it got: the same key from the same register gets that answer again, and the
    request is not made twice. A claim without an answer is a request still running (a
    retry meanwhile is a 409), or one whose worker died, which a retry takes over after
    ``ABANDONED_AFTER``."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="The SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField(null=True, help_text="Empty while running.")
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "key"], name="one_answer_per_key")
        ]

    def __str__(self):
        return f"{self.register}: {self.key}"
