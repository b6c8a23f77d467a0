import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from backoffice.models import WrittenOnce
from backoffice.money import MoneyField


def validate_not_in_future(value):
    if value > timezone.localdate():
        raise ValidationError("This date cannot be in the future.", code="future_date")


def customer_photo_path(instance, filename):
    """Store photos under a generated name: the uploader's file name is never used."""
    extension = PurePath(filename).suffix.lower()
    return f"customers/photos/{uuid.uuid4().hex}{extension}"


def staff_member_field():
    """Who did something to a record: kept empty if that user account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


EMAIL_CONSTRAINT = "customers_customer_email_ci_unique"


LIVE = models.Q(deleted_at__isnull=True)
# An erased customer has no email. Every lookup by email says so too, so that the unique
# index on LOWER(email), which leaves empty ones out, serves it.
HAS_EMAIL = ~models.Q(email="")


class CustomerQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The customers ``actor`` may see: those of the stores it holds (``customers.scope``)."""
        from .scope import restrict  # the scope module reads Customer from this one

        return restrict(self, actor)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def with_email(self, email):
        """Customers with this email in any case: the lookup the unique index on
        ``LOWER(email)`` serves (``email__iexact`` compiles to a LIKE that no index does)."""
        return self.filter(Exact(Lower("email"), Lower(Value(email))), HAS_EMAIL)


class Consent(models.TextChoices):
    """Whether a customer agreed to marketing on a channel."""

    NOT_ASKED = "not_asked", "Not asked"
    SUBSCRIBED = "subscribed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class ConsentLevel(models.TextChoices):
    SINGLE = "single", "Single opt-in"
    CONFIRMED = "confirmed", "Confirmed opt-in"  # they also answered a confirmation message


class ConsentSource(models.TextChoices):
    """Where a consent change came from."""

    FORM = "form", "Customer form"
    IMPORT = "import", "Import"
    REGISTER = "register", "Register"
    UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
    ADMIN = "admin", "Django admin"
    ERASURE = "erasure", "Erasure"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


def consent_field(channel):
    return models.CharField(
        f"{channel} marketing",
        max_length=20,
        choices=Consent.choices,
        default=Consent.NOT_ASKED,
        help_text=f"Whether the customer agreed to marketing by {channel}.",
    )


def consent_level_field(channel):
    return models.CharField(
        f"{channel} consent level", max_length=20, choices=ConsentLevel.choices, blank=True,
        editable=False,
    )  # fmt: skip


def consent_at_field(channel):
    return models.DateTimeField(f"{channel} consent changed", null=True, blank=True, editable=False)


def consent_source_field(channel):
    return models.CharField(
        f"{channel} consent source", max_length=20, choices=ConsentSource.choices, blank=True,
        editable=False,
    )  # fmt: skip


class ActiveCustomerManager(models.Manager.from_queryset(CustomerQuerySet)):
    """Customers that have not been deleted: what every page works with by default."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Customer(models.Model):
    class Type(models.TextChoices):
        PERSONAL = "personal", "Personal"
        BUSINESS = "business", "Business"

    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNDISCLOSED = "undisclosed", "Prefers not to say"

    customer_type = models.CharField(
        "type", max_length=10, choices=Type.choices, default=Type.PERSONAL
    )
    company_name = models.CharField("company name", max_length=200, blank=True)
    tax_id = models.CharField("tax ID", max_length=50, blank=True)
    website = models.URLField(max_length=200, blank=True)
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
    notes = models.TextField(blank=True, max_length=2000)
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

    # Marketing consent, per channel: the state (edited), and its level, time and source
    # (set by customers.consent, which writes a ConsentEvent for each change).
    email_consent = consent_field("email")
    email_consent_level = consent_level_field("email")
    email_consent_at = consent_at_field("email")
    email_consent_source = consent_source_field("email")
    sms_consent = consent_field("SMS")
    sms_consent_level = consent_level_field("SMS")
    sms_consent_at = consent_at_field("SMS")
    sms_consent_source = consent_source_field("SMS")
    email_bounced_at = models.DateTimeField(
        "email bounced",
        null=True,
        blank=True,
        editable=False,
        help_text="When mail to the address last bounced: campaigns skip it until cleared.",
    )

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by one at every save, so that a stale edit can be refused.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = staff_member_field()
    updated_by = staff_member_field()

    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = staff_member_field()
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the customer's personal data was erased (privacy.services).",
    )

    # Sort keys of the list, stored so that an index serves each sort and its keyset pages.
    sort_name = models.CharField(
        max_length=200,
        default="",
        editable=False,
        help_text="The company of a business customer, else the last name: set by save().",
    )
    loyalty_points = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The loyalty balance while enrolled, else empty: set by loyalty.services.",
    )
    # The customer's visits, kept by sales.services as each sale is recorded at a till.
    first_sale_at = models.DateTimeField("first visit", null=True, blank=True, editable=False)
    last_sale_at = models.DateTimeField("last visit", null=True, blank=True, editable=False)
    sale_count = models.PositiveIntegerField("visits", default=0, editable=False)
    total_spent = MoneyField("total spent", default=0, editable=False)
    lifetime_points = models.IntegerField("points earned", default=0, editable=False)

    objects = ActiveCustomerManager()
    all_objects = CustomerQuerySet.as_manager()

    # Fields that only make sense for one type; switching type clears the other type's.
    PERSONAL_ONLY_FIELDS = ("gender", "date_of_birth", "nationality")
    BUSINESS_ONLY_FIELDS = ("company_name", "tax_id", "website")

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("export_customer", "Can export customers"),
            ("export_customer_data", "Can download everything held on a customer"),
            ("erase_customer", "Can erase a customer's personal data"),
            ("restore_customer", "Can restore deleted customers"),
            ("purge_customer", "Can purge deleted customers for good"),
            ("view_all_stores", "Can see the customers of every store"),
        ]
        indexes = [
            # One per sort of the list (either direction), over live customers only.
            models.Index(
                fields=["created_at", "id"], name="customers_live_created", condition=LIVE
            ),
            models.Index(
                fields=["sort_name", "first_name", "id"], name="customers_live_name", condition=LIVE
            ),
            models.Index(fields=["email", "id"], name="customers_live_email", condition=LIVE),
            models.Index(
                fields=["loyalty_points", "id"], name="customers_live_points", condition=LIVE
            ),
            # The exact paths of the search: a whole phone number or customer ID number.
            models.Index(fields=["phone"], name="customers_live_phone", condition=LIVE),
            models.Index(fields=["id_number"], name="customers_live_id_number", condition=LIVE),
            # The list's consent filters: counted through them, however rare the answer.
            models.Index(
                fields=["email_consent", "id"], name="customers_email_consent", condition=LIVE
            ),
            models.Index(
                fields=["sms_consent", "id"], name="customers_sms_consent", condition=LIVE
            ),
            # The Deleted list. No index on deleted_at for live customers: SQLite would
            # take "deleted_at IS NULL" for a selective lookup and sort every live customer.
            models.Index(fields=["deleted_at", "id"], name="customers_deleted", condition=~LIVE),
        ]
        constraints = [
            # A deleted customer's address is free for a new customer.
            # An erased customer has no email (nor a deleted one's address) to keep.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(deleted_at__isnull=True) & HAS_EMAIL,
                name=EMAIL_CONSTRAINT,
                violation_error_message="A customer with this email address already exists.",
            ),
            models.CheckConstraint(
                condition=~models.Q(customer_type="business") | ~models.Q(company_name=""),
                name="customers_business_has_company_name",
                violation_error_message="A business customer needs a company name.",
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.sort_name = self.company_name if self.is_business else self.last_name
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self):
        """The company for a business customer, the person otherwise."""
        if self.customer_type == self.Type.BUSINESS and self.company_name:
            return self.company_name
        return self.full_name

    @property
    def notes_are_long(self):
        """Longer than the customer page shows before "Show all" (about four lines)."""
        return len(self.notes) > 280 or self.notes.count("\n") >= 4

    @property
    def is_business(self):
        return self.customer_type == self.Type.BUSINESS

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def fields_not_applying(self):
        """Names of the fields that the customer's type does not use."""
        return self.PERSONAL_ONLY_FIELDS if self.is_business else self.BUSINESS_ONLY_FIELDS


class CustomerTally(models.Model):
    """How many live customers share a store, a type, a loyalty enrolment and a month of
    creation: the tiles and the unfiltered list's count, read without counting customers.

    ``store_id`` 0 is the whole chain (a customer of three stores counts once there). It is
    a plain number, not a foreign key, so that the chain's rows share the upsert of
    ``customers.tallies`` (a NULL would never conflict). Rows are only ever changed by
    ``customers.tallies``, in the transaction of the write they count;
    ``python manage.py check_customer_tallies`` proves them against the customers.
    """

    CHAIN = 0

    store_id = models.PositiveIntegerField()
    customer_type = models.CharField(max_length=10, choices=Customer.Type.choices)
    loyalty_enrolled = models.BooleanField()
    created_month = models.DateField(help_text="The first day of the month, local time.")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store_id", "customer_type", "loyalty_enrolled", "created_month"],
                name="customers_tally_key",
            )
        ]

    def __str__(self):
        return (
            f"{self.count} in store {self.store_id or 'chain'}, {self.customer_type}, "
            f"{'enrolled' if self.loyalty_enrolled else 'not enrolled'}, "
            f"{self.created_month:%Y-%m}"
        )


class ConsentEvent(WrittenOnce):
    """One change of a customer's marketing consent on a channel: the state it left, its
    level, where it came from, when and who. Written once (``customers.consent``)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="consent_events")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=20, choices=Consent.choices)
    level = models.CharField(max_length=20, choices=ConsentLevel.choices, blank=True)
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    created_at = models.DateTimeField("when", default=timezone.now)
    created_by = staff_member_field()
    actor_name = models.CharField(
        "who (name then)", max_length=150, blank=True, help_text="A person, register or command."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="consent_by_customer")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.get_state_display().lower()} ({self.source})"
