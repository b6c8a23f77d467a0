"""Money: ``Decimal`` with two places, in the one currency of the installation
(``settings.CURRENCY``, an ISO 4217 code). Never floats."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 12  # up to 9,999,999,999.99
MAX_AMOUNT = Decimal("9999999999.99")  # the most a balance or an amount can be, either way


class MoneyField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        from .forms import PlainDecimalField

        return super().formfield(**{"form_class": PlainDecimalField, **kwargs})


def positive_amount_validators():
    return [MinValueValidator(CENT, "Enter an amount of at least 0.01.")]


def cents(amount):
    """``amount`` rounded to the cent, as stored."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount):
    """ "USD 1,234.50", "USD -5.00": the code, then the amount with its two decimals."""
    if amount is None:
        return "—"
    return f"{settings.CURRENCY} {cents(amount):,.2f}"


def past_the_limit(balance):
    """Whether a balance would be more than a MoneyField holds: refuse it with a message
    before the database refuses it with an error."""
    return abs(balance) > MAX_AMOUNT
