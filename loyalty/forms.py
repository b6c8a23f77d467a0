from crispy_forms.layout import Column, Field, Row
from django import forms
from django.utils.html import format_html

from backoffice.forms import ORIGINAL_PREFIX, PlainIntegerField, section_helper

from . import codes
from .cards import LABEL_SIZES
from .models import (
    MAX_POINTS,
    REASONS_NEEDING_A_NOTE,
    STAFF_REASONS,
    LoyaltyAccount,
    LoyaltyCard,
    Reason,
)
from .services import StaleBalance

MAX_BATCH = 10_000


class ReasonField(forms.ChoiceField):
    """A reason from the list. Free text is let through for tools that post the reason as
    text, as they did before the list: ``clean_reason_and_note`` makes it the note of
    "other"."""

    def __init__(self, **kwargs):
        choices = [
            ("", "Choose a reason"),
            *((reason.value, reason.label) for reason in STAFF_REASONS),
        ]
        super().__init__(choices=choices, **kwargs)

    def valid_value(self, value):
        return True


def clean_reason_and_note(form, cleaned_data, *, required):
    reason, note = cleaned_data.get("reason") or "", (cleaned_data.get("note") or "").strip()
    if reason and reason not in Reason.values:
        reason, note = Reason.OTHER, note or reason.strip()
    if required and not reason:
        form.add_error("reason", "Give the reason for the balance change.")
    elif reason in REASONS_NEEDING_A_NOTE and not note:
        form.add_error(
            "note", f"Say what happened: a note is required for “{Reason(reason).label}”."
        )
    cleaned_data["reason"], cleaned_data["note"] = reason, note


class LoyaltyCodeField(forms.CharField):
    """A loyalty card code as typed or scanned: any case, spaces and hyphens allowed; its
    length, characters and check character are checked here, whether a card has it by the
    form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Loyalty card code")
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value):
        return codes.normalise(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and (problem := codes.problem_with(value)):
            raise forms.ValidationError(problem, code="bad_code")

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        }


def card_problem(code, customer):
    """Why the card ``code`` (well formed) cannot go to ``customer``, or ""."""
    card = LoyaltyCard.objects.filter(code=code).select_related("customer").first()
    if card is None:
        return f"No loyalty card has the code {code}: check the card, or generate codes first."
    if card.customer_id and card.customer_id != getattr(customer, "pk", None):
        return format_html(
            'The card {} is already used by <a href="{}">{}</a>.',
            code,
            card.customer.get_absolute_url(),
            card.customer,
        )
    return ""


class LoyaltyForm(forms.ModelForm):
    """The customer form's Loyalty section: enrolment, the balance as a total (a change is
    one adjustment of the difference, with a reason), and the loyalty card.

    Its fields are posted as ``loyalty_enrolled``, ``loyalty_balance``, ``loyalty_reason``,
    ``loyalty_note``, ``loyalty_code`` and ``loyalty_version``, so that the whole customer
    page shares one flat namespace. ``cleaned_data["new_balance"]`` and
    ``cleaned_data["code"]`` are None when the balance or the card is to be left as it is.
    """

    reason = ReasonField(label="Reason for the change", required=False)
    note = forms.CharField(
        label="Note on the change",
        max_length=500,
        required=False,
        help_text="Required for a correction and for “other”.",
    )
    code = LoyaltyCodeField(required=False, help_text="Type or scan the code on the card.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LoyaltyAccount
        fields = ["enrolled", "balance"]
        labels = {"enrolled": "Enrolled in the loyalty programme", "balance": "Balance (points)"}
        field_classes = {"balance": PlainIntegerField}
        help_texts = {"balance": ""}
        error_messages = {
            "balance": {
                "min_value": "The balance cannot be negative.",
                "max_value": f"A balance is at most {MAX_POINTS:,} points.",
            }
        }

    def __init__(self, *args, customer=None, **kwargs):
        kwargs.setdefault("prefix", "loyalty")
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["version"].initial = self.instance.version
        card = getattr(customer, "loyalty_card", None) if customer and customer.pk else None
        self.fields["code"].initial = card.code if card else ""
        self.helper = section_helper(
            "version",
            Field("enrolled"),
            Row(
                Column("balance", css_class="col-md-3"),
                Column("reason", css_class="col-md-3"),
                Column("note", css_class="col-md-6"),
                css_class="loyalty-details",
            ),
            Row(Column("code", css_class="col-md-4")),
        )
        if self.is_bound and not self.enrolled_in_data:
            # Balance, reason and note are greyed out while not enrolled: the balance stays.
            for name in ("balance", "reason", "note"):
                self.fields[name].disabled = True

    def add_prefix(self, field_name):
        return f"{self.prefix}_{field_name}" if self.prefix else field_name

    @property
    def enrolled_in_data(self):
        widget = self.fields["enrolled"].widget
        return widget.value_from_datadict(self.data, self.files, self.add_prefix("enrolled"))

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code and (problem := card_problem(code, self.customer)):
            raise forms.ValidationError(problem, code="card_unavailable")
        return code

    def clean(self):
        """Work out ``new_balance``: the balance to record, or None to leave it as it is
        (not enrolled, unchanged, or unchanged from the balance the form was loaded with)."""
        cleaned_data = super().clean()
        balance = cleaned_data.get("balance")
        account = self.instance
        version = cleaned_data.get("version")
        new_balance = balance if cleaned_data.get("enrolled") else None
        if new_balance is not None and version is not None and version != account.version:
            if balance == account.balance_at(version):  # left as loaded: keep today's
                new_balance = None
            elif balance != account.balance:
                self.refuse_stale_balance(StaleBalance(account))
        if new_balance == account.balance:
            new_balance = None
        cleaned_data["new_balance"] = new_balance
        clean_reason_and_note(self, cleaned_data, required=new_balance is not None)
        if cleaned_data.get("code") == self.loaded_code:
            cleaned_data["code"] = None  # left as loaded: a card given meanwhile stays
        return cleaned_data

    @property
    def loaded_code(self):
        """The card code the page was loaded with ("" for a tool that does not say)."""
        return codes.normalise(self.data.get(ORIGINAL_PREFIX + self.add_prefix("code"), ""))

    def refuse_stale_balance(self, error):
        """Refuse a balance typed on a form loaded before the last change, and show the
        current balance and version in the field, so that pressing save again is a fresh
        decision."""
        account = error.account
        self.data = self.data.copy()
        self.data[self.add_prefix("balance")] = str(account.balance)
        self.data[self.add_prefix("version")] = str(account.version)
        self.add_error("balance", str(error))


class AdjustmentForm(forms.Form):
    """Add or take off points on the customer page, with a reason."""

    delta = PlainIntegerField(
        label="Change (points)",
        help_text="e.g. 50 adds 50 points; -20 takes 20 off.",
        min_value=-10_000_000,
        max_value=10_000_000,
    )
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason"), *((r.value, r.label) for r in STAFF_REASONS)]
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for a correction and for “other”.",
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(
                "Enter the points to add, or a negative number to take off."
            )
        if self.account.balance + delta < 0:
            raise forms.ValidationError(
                f"The balance is {self.account.balance} points: at most "
                f"{self.account.balance} can be taken off."
            )
        if self.account.balance + delta > MAX_POINTS:
            raise forms.ValidationError(
                f"The balance is {self.account.balance:,} points, and an account holds at most "
                f"{MAX_POINTS:,}: at most {MAX_POINTS - self.account.balance:,} can be added."
            )
        return delta

    def clean(self):
        cleaned_data = super().clean()
        clean_reason_and_note(self, cleaned_data, required=True)
        return cleaned_data


class CardAssignForm(forms.Form):
    """Give a customer a loyalty card by typing or scanning its code on their page."""

    code = LoyaltyCodeField(help_text="Type or scan the code on the card.")

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_code(self):
        code = self.cleaned_data["code"]
        if problem := card_problem(code, self.customer):
            raise forms.ValidationError(problem, code="card_unavailable")
        return code


class CardBatchForm(forms.Form):
    size = PlainIntegerField(
        label="Number of codes",
        min_value=1,
        max_value=MAX_BATCH,
        initial=30,
        help_text=f"At most {MAX_BATCH:,} at a time.",
    )


class SheetForm(forms.Form):
    """The label (or card) size a sheet is laid out for."""

    label = forms.ChoiceField(
        label="Label size",
        choices=[(key, size.name) for key, size in LABEL_SIZES.items()],
        initial=next(iter(LABEL_SIZES)),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
