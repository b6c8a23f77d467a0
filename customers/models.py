import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


def validate_not_in_future(value):
    if value > timezone.localdate():
        raise ValidationError("This date cannot be in the future.", code="future_date")


def customer_photo_path(instance, filename):
    """Store photos under a generated name: the uploader's file name is never used."""
    extension = PurePath(filename).suffix.lower()
    return f"customers/photos/{uuid.uuid4().hex}{extension}"


class Customer(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNDISCLOSED = "undisclosed", "Prefers not to say"

    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    phone = PhoneNumberField(blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_not_in_future])
    nationality = CountryField(blank=True)
    anniversary = models.DateField(
        "anniversary of first visit",
        null=True,
        blank=True,
        validators=[validate_not_in_future],
    )
    gate_code = models.CharField(
        "gate code", max_length=32, blank=True, help_text="Code to open the gate for deliveries."
    )
    id_number = models.CharField("customer ID number", max_length=64, blank=True)
    notes = models.TextField(blank=True)
    photo = models.ImageField(upload_to=customer_photo_path, blank=True)
    stores = models.ManyToManyField(
        "stores.Store",
        related_name="customers",
        help_text="Stores where the customer has done business.",
    )

    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("apt / suite", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField("zip code", max_length=20, blank=True)
    country = CountryField(blank=True)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by one at every save, so that a stale edit can be refused.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="customers_customer_email_ci_unique",
                violation_error_message="A customer with this email address already exists.",
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("customers:edit", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()
