"""A customer as a till reads them: who they are, and every balance it may spend."""

import re
from decimal import Decimal

from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from customers.models import Consent, Customer
from house_accounts.services import left_this_period
from loyalty.models import MAX_POINTS
from memberships.services import active_membership_of

# Something besides spaces: what Python's strip() takes away (the schema's \s, and the
# separators \x1c-\x1f and \x85 that it counts as spaces too) is not a name or an id.
NOT_BLANK = RegexValidator(r"[^\s\x1c-\x1f\x85]", "This field may not be blank.", code="blank")


class TextField(serializers.CharField):
    """Text and only text: a number where the schema says a string is refused (DRF would
    take 12 for "12"), and no longer than the schema says, before trimming."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # Measured as sent, as the schema's maxLength is: trimming ("\x1d" is whitespace
        # to Python) must not bring a longer text within it.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class LoyaltySerializer(serializers.Serializer):
    enrolled = serializers.BooleanField()
    balance = serializers.IntegerField(help_text="Points.")
    card_code = serializers.CharField(allow_null=True)


class MembershipSerializer(serializers.Serializer):
    plan = serializers.CharField()
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    expires_on = serializers.DateField()


class HouseAccountSerializer(serializers.Serializer):
    number = serializers.CharField()
    balance = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Owed (negative: in credit)."
    )
    available = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True,
        help_text="What may still be charged this limit period; null: no period limit.",
    )  # fmt: skip


class CustomerSummarySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="customer_type")
    phone = serializers.SerializerMethodField()
    stores = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Customer
        fields = ["id", "type", "first_name", "last_name", "company_name", "email", "phone",
                  "stores"]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="E.164"))
    def get_phone(self, customer):
        return customer.phone.as_e164 if customer.phone else None


# What a register is shown of another store's customer, found by an exact key, until it
# adds them to its store (POST /api/v1/customers/<id>/add-to-store/).
OTHER_STORE_FIELDS = ["id", "first_name", "last_name", "email", "phone", "in_store"]


class CustomerFoundSerializer(CustomerSummarySerializer):
    """A search result. A customer of another store (``in_store`` false), found by an
    exact key, is shown by name, email and phone only."""

    in_store = serializers.BooleanField(
        help_text="False for another store's customer, found by an exact key: only id, "
        "names, email and phone are given until the register adds them to its store."
    )

    class Meta(CustomerSummarySerializer.Meta):
        fields = [*CustomerSummarySerializer.Meta.fields, "in_store"]

    def to_representation(self, customer):
        shown = super().to_representation(customer)
        if customer.in_store:
            return shown
        return {name: shown[name] for name in OTHER_STORE_FIELDS}


class AddToStoreSerializer(serializers.Serializer):
    key = TextField(
        max_length=254,
        help_text="The exact key the customer was found by: a whole email, phone number, "
        "card code or ID number.",
    )


class CustomerSerializer(CustomerSummarySerializer):
    """A customer of the register's store with the balances a sale may use."""

    loyalty = serializers.SerializerMethodField()
    membership = serializers.SerializerMethodField()
    house_accounts = serializers.SerializerMethodField()

    class Meta(CustomerSummarySerializer.Meta):
        fields = [*CustomerSummarySerializer.Meta.fields, "email_consent", "sms_consent",
                  "loyalty", "membership", "house_accounts", "version"]  # fmt: skip

    @extend_schema_field(LoyaltySerializer)
    def get_loyalty(self, customer):
        account = getattr(customer, "loyalty_account", None)
        card = getattr(customer, "loyalty_card", None)
        return {
            "enrolled": bool(account and account.enrolled),
            "balance": account.balance if account else 0,
            "card_code": card.code if card else None,
        }

    @extend_schema_field(MembershipSerializer(allow_null=True))
    def get_membership(self, customer):
        account = active_membership_of(customer)
        if account is None:
            return None
        return MembershipSerializer(
            {
                "plan": str(account.plan),
                "balance": account.balance,
                "expires_on": account.expiry_date,
            }
        ).data

    @property
    def till_store(self):
        """The register's store, whose clock a house account's limit period follows."""
        register = getattr(self.context.get("request"), "auth", None)
        return getattr(register, "store", None)

    @extend_schema_field(HouseAccountSerializer(many=True))
    def get_house_accounts(self, customer):
        accounts = [
            {
                "number": account.account_number,
                "balance": account.balance,
                "available": (left := left_this_period(account, store=self.till_store)) and left[0],
            }
            for account in customer.house_accounts.all()
        ]
        return HouseAccountSerializer(accounts, many=True).data


class CustomerWriteSerializer(serializers.Serializer):
    """A customer as a register creates one, or changes one (with the ``version`` read).
    The customer form checks the values and gives its own messages."""

    type = serializers.ChoiceField(choices=Customer.Type.choices, required=False)
    first_name = TextField(max_length=100, validators=[NOT_BLANK])
    last_name = TextField(max_length=100, validators=[NOT_BLANK])
    company_name = TextField(
        required=False, allow_blank=True, help_text="Required for a business customer."
    )
    email = serializers.EmailField()
    phone = TextField(
        required=False, allow_blank=True,
        help_text="E.164, or national: read in the country of the stores, the address, "
        "then the register's store.",
    )  # fmt: skip
    email_consent = serializers.ChoiceField(
        choices=Consent.choices, required=False,
        help_text="What the customer said at the till about marketing email.",
    )  # fmt: skip
    sms_consent = serializers.ChoiceField(
        choices=Consent.choices, required=False,
        help_text="What the customer said at the till about marketing text messages.",
    )  # fmt: skip
    stores = serializers.ListField(
        child=TextField(max_length=20), required=False, max_length=100,
        help_text="Store codes; the register's store is always among them.",
    )  # fmt: skip
    date_of_birth = TextField(required=False, allow_blank=True, help_text="ISO")
    id_number = TextField(required=False, allow_blank=True)
    notes = TextField(required=False, allow_blank=True)
    address_line1 = TextField(required=False, allow_blank=True)
    address_line2 = TextField(required=False, allow_blank=True)
    city = TextField(required=False, allow_blank=True)
    state = TextField(required=False, allow_blank=True)
    zip_code = TextField(required=False, allow_blank=True)
    country = TextField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="Required to change one.")


AMOUNT_SHAPE = re.compile(r"-?[0-9]{1,10}(\.[0-9]{1,2})?")


class AmountField(serializers.DecimalField):
    """An amount written as a till writes one, "12.50" or 12.5: ASCII digits with at most
    two decimals. Python's Decimal would also read "1_000", "1e2" and Arabic-Indic digits,
    which no till means."""

    def __init__(self, *, positive, **kwargs):
        self.positive = positive
        super().__init__(
            max_digits=12, decimal_places=2, min_value=Decimal("0.01") if positive else None,
            **kwargs,
        )  # fmt: skip

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        text = data if isinstance(data, str) else repr(data)
        if not AMOUNT_SHAPE.fullmatch(text.strip()):
            self.fail("invalid")
        return super().to_internal_value(text.strip())


@extend_schema_field({"type": "integer", "minimum": 1})
class CustomerIdField(serializers.Field):
    """A customer's id, a JSON number or ASCII digits: Python's int() also reads "\u0661"
    (an Arabic-Indic one), " 1 " and 1.0. Whether the register may sell to them is the
    sale's service's to say, under their lock."""

    default_error_messages = {"invalid": "A customer's id is a whole number."}

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isascii() and data.isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int) or data < 1:
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


def amount_schema(sign, example):
    pattern = rf"^{sign}[0-9]{{1,10}}(\.[0-9]{{1,2}})?$"
    return {"type": "string", "format": "decimal", "pattern": pattern, "example": example}


@extend_schema_field(amount_schema("", "12.50"))
class PositiveAmountField(AmountField):
    def __init__(self, **kwargs):
        super().__init__(positive=True, **kwargs)


@extend_schema_field(amount_schema("-?", "24.90"))
class SignedAmountField(AmountField):
    def __init__(self, **kwargs):
        super().__init__(positive=False, **kwargs)


SALE_EXAMPLE = {
    "id": "R-1001", "customer": 42, "total": "24.90", "occurred_at": "2026-12-07T14:05:00Z",
    "points_redeemed": 100, "house_account": "HA-1042", "house_account_amount": "10.00",
}  # fmt: skip
REFUND_EXAMPLE = {
    "id": "R-1002", "customer": 42, "total": "-12.45", "occurred_at": "2026-12-08T10:00:00Z",
    "refund_for": "R-1001",
}  # fmt: skip
REFUND_OF_A_PART_EXAMPLE = {**REFUND_EXAMPLE, "id": "R-1003", "house_account_amount": "5.00"}


@extend_schema_serializer(
    examples=[
        OpenApiExample("A sale", SALE_EXAMPLE, request_only=True,
                       description="24.90: 100 points (1.00), 10.00 on the house account, "
                       "13.90 in cash or card."),
        OpenApiExample("A refund of half", REFUND_EXAMPLE, request_only=True,
                       description="Each part of R-1001 is given back in proportion: 0.50 of "
                       "points (50 points), 5.00 to the house account, 6.95 in cash or card."),
        OpenApiExample("A refund to the house account", REFUND_OF_A_PART_EXAMPLE,
                       request_only=True, description="5.00 back to the house account "
                       "alone; the rest of the total in cash or card."),
    ]
)  # fmt: skip
class SaleSerializer(serializers.Serializer):
    """A sale as a register sends it: its ``total``, and the parts of it not paid in cash
    or card: points (``points_redeemed``, worth the loyalty settings' point value), the
    house account and the membership. What they leave of the total is cash or card, and
    they may not come to more.

    The sign convention: a sale's ``total`` is positive or zero; a refund names the
    receipt it returns in ``refund_for`` and has a negative ``total``. Parts are always
    written positive: a sale's are what it charges, a refund's what it gives back to each.
    A refund that names no part gives back every part of its sale in proportion to its
    total (the refund that completes the return gives back what is left); one that names
    parts gives back those, at most what is left of each, and the rest in cash or card.
    A sale is refunded at most 20 times."""

    id = TextField(max_length=64, validators=[NOT_BLANK], help_text="The register's receipt id.")
    customer = CustomerIdField(
        help_text="The id of a customer of the register's store (another store's, or one "
        "that does not exist: 404)."
    )
    total = SignedAmountField(help_text="Negative for a refund.")
    occurred_at = serializers.DateTimeField(
        help_text="When the sale was made, at most 10 minutes ahead of the server's clock and "
        "no older than SALE_MAX_AGE_DAYS (90 by default)."
    )
    points_redeemed = serializers.IntegerField(min_value=0, max_value=MAX_POINTS, default=0)
    house_account = TextField(
        max_length=25, required=False,
        help_text="The account number to charge; a refund gives back to its sale's account.",
    )  # fmt: skip
    house_account_amount = PositiveAmountField(
        required=False, help_text="Charged, or (a refund) given back: never negative."
    )
    membership_amount = PositiveAmountField(
        required=False, help_text="Charged, or (a refund) given back: never negative."
    )
    refund_for = TextField(
        max_length=64, required=False, help_text="The receipt id of the sale returned."
    )

    def validate(self, data):
        errors = {}
        refund = bool(data.get("refund_for"))
        if refund and data["total"] >= 0:
            errors["total"] = ["A refund's total is negative."]
        if not refund and data["total"] < 0:
            errors["total"] = ["A sale's total is not negative: a refund names refund_for."]
        if refund and data["points_redeemed"]:
            errors["points_redeemed"] = ["A refund gives back the points of its sale itself."]
        if not refund and bool(data.get("house_account")) != ("house_account_amount" in data):
            errors["house_account_amount"] = [
                "Give house_account and house_account_amount together."
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class SaleResultSerializer(serializers.Serializer):
    """What the register is told of a sale: its parts (a refund's negative), the points,
    and every balance after it."""

    id = TextField(source="receipt_id")
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    points_earned = serializers.IntegerField()
    points_redeemed = serializers.IntegerField()
    points_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    house_account_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    membership_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    other_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Cash and card."
    )
    loyalty_balance = serializers.IntegerField(source="result.loyalty_balance")
    house_account_balance = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="result.house_account_balance", allow_null=True
    )
    membership_balance = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="result.membership_balance", allow_null=True
    )


class SaleReadSerializer(SaleResultSerializer):
    """A sale as recorded: when and where, the sale a refund returns, and what the register
    was told."""

    occurred_at = serializers.DateTimeField()
    store = serializers.CharField(source="store.code")
    register = serializers.CharField(source="register.name")
    refund_for = serializers.CharField(source="refund_for.receipt_id", allow_null=True)
