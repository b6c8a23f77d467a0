"""A customer as a till reads them: who they are, and every balance it may spend."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Consent, Customer
from house_accounts.services import left_this_period
from loyalty.models import MAX_POINTS
from memberships.services import active_membership_of


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

    @extend_schema_field(HouseAccountSerializer(many=True))
    def get_house_accounts(self, customer):
        accounts = [
            {
                "number": account.account_number,
                "balance": account.balance,
                "available": (left := left_this_period(account)) and left[0],
            }
            for account in customer.house_accounts.all()
        ]
        return HouseAccountSerializer(accounts, many=True).data


class CustomerWriteSerializer(serializers.Serializer):
    """A customer as a register creates one, or changes one (with the ``version`` read).
    The customer form checks the values and gives its own messages."""

    type = serializers.ChoiceField(choices=Customer.Type.choices, required=False)
    first_name = TextField(max_length=100)
    last_name = TextField(max_length=100)
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


class SaleSerializer(serializers.Serializer):
    """A sale as a register sends it. A refund names the receipt it returns in
    ``refund_for`` and has a negative ``total``."""

    id = TextField(max_length=64, help_text="The register's receipt id.")
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        error_messages={"does_not_exist": "No customer has the id {pk_value}."},
    )
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    occurred_at = serializers.DateTimeField()
    points_redeemed = serializers.IntegerField(min_value=0, max_value=MAX_POINTS, default=0)
    house_account = TextField(
        max_length=25, required=False, help_text="The account number to charge."
    )
    house_account_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    membership_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
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
        if bool(data.get("house_account")) != ("house_account_amount" in data):
            errors["house_account_amount"] = [
                "Give house_account and house_account_amount together."
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class SaleResultSerializer(serializers.Serializer):
    """What the register is told of a sale: the points, and every balance after it."""

    id = TextField(source="receipt_id")
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    points_earned = serializers.IntegerField()
    points_redeemed = serializers.IntegerField()
    loyalty_balance = serializers.IntegerField(source="result.loyalty_balance")
    house_account_balance = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="result.house_account_balance", allow_null=True
    )
    membership_balance = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="result.membership_balance", allow_null=True
    )
