"""A customer as a till reads them: who they are, and every balance it may spend."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Customer
from house_accounts.services import left_this_period
from memberships.services import active_membership_of


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
    """A search result."""

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


class CustomerSerializer(CustomerSummarySerializer):
    """A customer with the balances a sale may use."""

    loyalty = serializers.SerializerMethodField()
    membership = serializers.SerializerMethodField()
    house_accounts = serializers.SerializerMethodField()

    class Meta(CustomerSummarySerializer.Meta):
        fields = [*CustomerSummarySerializer.Meta.fields, "loyalty", "membership",
                  "house_accounts", "version"]  # fmt: skip

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
