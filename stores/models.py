from django.db import models


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
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive stores are no longer offered on forms."
    )

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
