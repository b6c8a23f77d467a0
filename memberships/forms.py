import datetime

from django import forms
from django.utils import timezone

from backoffice.forms import MoneyAmountField, OneTimeTokenField
from backoffice.money import positive_amount_validators
from customers.picker import CustomerPickerField
from stores.models import Store

from .models import MembershipAccount, MembershipPlan, MembershipType

EARLIEST_ISSUE_DATE = datetime.date(1900, 1, 1)


class MembershipTypeForm(forms.ModelForm):
    class Meta:
        model = MembershipType
        fields = ["name", "price_level", "description"]


class MembershipPlanForm(forms.ModelForm):
    class Meta:
        model = MembershipPlan
        fields = ["name", "membership_type", "tax_exempt", "allowance", "period", "auto_renew"]
        labels = {"tax_exempt": "Tax exempt: members buy without sales tax"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.accounts.exists():
            # Open accounts keep the allowance and period they were opened with in mind;
            # a plan in use changes its name and renewal only.
            for name in ("membership_type", "allowance", "period"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed while accounts use this plan."


class MembershipAccountForm(forms.ModelForm):
    """A new account: the holder (a picker, never a list of every customer), the plan, the
    card number; the expiry date and the balance follow from the plan."""

    customer = CustomerPickerField(label="Customer")

    class Meta:
        model = MembershipAccount
        fields = ["customer", "plan", "card_number", "description", "issue_date"]
        widgets = {"issue_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"card_number": "Letters and digits, as printed on the card."}

    def clean_issue_date(self):
        """A card issued now, or in the past: not a date whose periods run off the
        calendar (9999-12-31 ended in an error)."""
        issued = self.cleaned_data["issue_date"]
        latest = timezone.localdate() + datetime.timedelta(days=366)
        if not EARLIEST_ISSUE_DATE <= issued <= latest:
            raise forms.ValidationError(
                f"Enter an issue date from {EARLIEST_ISSUE_DATE:%Y-%m-%d} to {latest:%Y-%m-%d} "
                "(a year from today)."
            )
        return issued


class MembershipAccountEditForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MembershipAccount
        fields = ["description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class MemberForm(forms.Form):
    customer = CustomerPickerField(label="Add a member")


class ChargeForm(forms.Form):
    """A charge against the allowance, or a refund back into it."""

    kind = forms.ChoiceField(
        label="Entry",
        choices=[("charge", "Charge"), ("refund", "Refund")],
        widget=forms.RadioSelect,
        initial="charge",
    )
    amount = MoneyAmountField(validators=positive_amount_validators())
    store = forms.ModelChoiceField(queryset=Store.objects.active(), empty_label="Choose a store")
    note = forms.CharField(max_length=300, required=False)
    token = OneTimeTokenField()

    def __init__(self, *args, current_store=None, **kwargs):
        super().__init__(*args, **kwargs)
        if current_store is not None:
            self.fields["store"].initial = current_store.pk
