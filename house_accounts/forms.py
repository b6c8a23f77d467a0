import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from backoffice.forms import MoneyAmountField, OneTimeTokenField
from backoffice.money import format_money, positive_amount_validators
from customers.picker import CustomerPickerField
from stores.models import Store

from .models import HouseAccount

SETTINGS = [
    "period_limit_enabled",
    "limit_period",
    "limit_amount",
    "week_starts_on",
    "allow_credit",
    "max_limit_enabled",
    "max_amount",
]


class HouseAccountForm(forms.ModelForm):
    """A new house account: the customer (a picker: the top bar's store's customers come
    first), its number, what they owe to start with, and its limits."""

    customer = CustomerPickerField(label="Customer")
    opening_balance = MoneyAmountField(
        label="Balance", initial="0.00", help_text="What the customer owes to start with."
    )

    class Meta:
        model = HouseAccount
        fields = ["customer", "account_number", "opening_balance", *SETTINGS]

    def clean(self):
        cleaned_data = super().clean()
        opening_balance = cleaned_data.get("opening_balance")
        if (
            opening_balance is not None
            and opening_balance < 0
            and not cleaned_data.get("allow_credit")
        ):
            self.add_error(
                "opening_balance",
                "Below zero is a credit: tick “Allow credit” to open the account in credit, "
                "or enter what the customer owes.",
            )
        return cleaned_data


class HouseAccountEditForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = HouseAccount
        fields = ["account_number", *SETTINGS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="Entry",
        choices=[("charge", "Charge"), ("payment", "Payment"), ("refund", "Refund")],
        widget=forms.RadioSelect,
        initial="charge",
    )
    amount = MoneyAmountField(validators=positive_amount_validators())
    store = forms.ModelChoiceField(queryset=Store.objects.active(), empty_label="Choose a store")
    reference = forms.CharField(max_length=50, required=False, help_text="e.g. the receipt number.")
    note = forms.CharField(max_length=300, required=False)
    token = OneTimeTokenField()

    def __init__(self, *args, current_store=None, large_payments=False, **kwargs):
        super().__init__(*args, **kwargs)
        if current_store is not None:
            self.fields["store"].initial = current_store.pk
        self.large_payments = large_payments

    def clean(self):
        """A payment or refund over ``HOUSE_ACCOUNT_STAFF_MAXIMUM`` gives money back or
        clears a debt: a manager records it."""
        cleaned_data = super().clean()
        amount, maximum = cleaned_data.get("amount"), settings.HOUSE_ACCOUNT_STAFF_MAXIMUM
        if (
            cleaned_data.get("kind") in ("payment", "refund")
            and amount is not None
            and amount > maximum
            and not self.large_payments
        ):
            self.add_error(
                "amount",
                f"A payment or refund over {format_money(maximum)} is recorded by a manager.",
            )
        return cleaned_data


class StatementForm(forms.Form):
    """The dates a statement covers: this month so far unless chosen."""

    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = {"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat()}
        super().__init__({**defaults, **{k: v for k, v in (data or {}).items() if v}}, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        first, last = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", "The end comes before the start.")
        if first and last and last - first > datetime.timedelta(days=3660):
            self.add_error("date_from", "A statement covers at most ten years.")
        return cleaned_data
