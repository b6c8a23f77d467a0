import re
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm

from .money import MAX_DIGITS


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Password change whose old-password check goes through ``authenticate()``, so that
    django-axes counts wrong old passwords and locks them out exactly as at sign-in."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise self.get_invalid_login_error()
        return old_password

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["password_incorrect"], code="password_incorrect"
        )


# A form page's fields as they were when it was first loaded are posted back under this
# prefix (customers.forms.CustomerForms.original_values), to tell what the person changed.
ORIGINAL_PREFIX = "original-"


def section_helper(*layout):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


PLAIN_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
PLAIN_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", re.ASCII)


class PlainIntegerField(forms.IntegerField):
    """A whole number in the digits 0-9, as the README promises. Python's ``int()`` also
    reads other scripts' digits ("٥", "５") and "1_000", which no one means as a number of
    points."""

    default_error_messages = {"invalid": "Enter a whole number, in the digits 0-9."}

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not PLAIN_INTEGER.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class PlainDecimalField(forms.DecimalField):
    """An amount in the digits 0-9 with at most one decimal point: ``Decimal()`` also reads
    "١٢٣.٤٥", "1_000" and "1e2"."""

    default_error_messages = {
        "invalid": "Enter an amount in the digits 0-9, with a decimal point: e.g. 1250.50."
    }

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not PLAIN_DECIMAL.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class MoneyAmountField(PlainDecimalField):
    """An amount of money as the ledgers keep it (``money.MoneyField``): two decimals, at
    most 9,999,999,999.99."""

    def __init__(self, **kwargs):
        super().__init__(**{"max_digits": MAX_DIGITS, "decimal_places": 2, **kwargs})


class OneTimeTokenField(forms.UUIDField):
    """A hidden token, new each time the form is shown, that the entry it records keeps:
    the same form sent twice records once (``models.MoneyEntry.token``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(**{"required": False, "initial": uuid.uuid4, **kwargs})
