import datetime
import functools
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField


def default_time_zone():
    return settings.TIME_ZONE


@functools.cache
def time_zone_choices():
    """The IANA time zones (``zoneinfo.available_timezones()``, with ``TIME_ZONE``)."""
    zones = zoneinfo.available_timezones() | {settings.TIME_ZONE}
    return [(zone, zone.replace("_", " ")) for zone in sorted(zones)]


class StoreQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Store(models.Model):
    name = models.CharField(max_length=100)
    code = models.SlugField(
        max_length=20,
        unique=True,
        help_text="Short unique code used in exports and imports, e.g. DT01.",
    )
    country = CountryField(
        blank=True,
        help_text="Phone numbers typed without a country code are read as this country's.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive stores are no longer offered on forms."
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        choices=time_zone_choices,
        help_text="The store's clock: its days, its customers' visits and the house account "
        "periods of its charges begin at its midnight.",
    )

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def day_of(self, moment):
        """The store's day that ``moment`` falls on."""
        return timezone.localdate(moment, self.zone)

    def day_start(self, day):
        """The first moment of ``day`` at the store."""
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), self.zone)


class StorePreference(models.Model):
    """The store a person finds in the top bar when they sign in: their default store, else
    the one they chose last."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_preference"
    )
    default_store = models.ForeignKey(
        Store,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_active": True},
        help_text="Chosen in the top bar each time you sign in. "
        "Without one, the top bar starts with the store you chose last.",
    )
    last_store = models.ForeignKey(
        Store,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Chosen last in the top bar; empty for All stores.",
    )

    def __str__(self):
        return f"Store preference of {self.user}"

    def store_at_sign_in(self):
        """The default store, else the last one chosen; None (All stores) when neither is
        set or still active."""
        for store in (self.default_store, self.last_store):
            if store is not None and store.is_active:
                return store
        return None


class StaffStore(models.Model):
    """A store a staff member holds. Without ``customers.view_all_stores`` a person sees
    the customers of the stores they hold (issue 24's least access)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_stores"
    )
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="staff")

    class Meta:
        verbose_name = "store held"
        verbose_name_plural = "stores held"
        constraints = [models.UniqueConstraint(fields=["user", "store"], name="a_store_held_once")]

    def __str__(self):
        return f"{self.user} holds {self.store}"
