from django.db import models
from django_countries.fields import CountryField


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

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
