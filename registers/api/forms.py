"""A customer as a register creates or changes one: by the customer form's own rules."""

from django.forms.models import model_to_dict
from django.utils.html import strip_tags

from customers.forms import CustomerFieldsForm, national_phone_region
from stores.models import Store

# The API's names for the form's fields, where they differ.
API_NAMES = {"customer_type": "type"}
FORM_NAMES = {api: form for form, api in API_NAMES.items()}


# A till is not told who has the address: the form's message links to them, for staff.
DUPLICATE_EMAIL = "This email address already belongs to another customer."
PLAIN_MESSAGES = {"duplicate_email": DUPLICATE_EMAIL}

# Why a national phone number was read in a country, in a till's words: a till has no top
# bar and ticks no boxes.
TILL_WORDS = {
    "the country of the store chosen in the top bar": "the country of the register's store",
    "the country of the ticked stores": "the country of the stores sent",
}

# The API's fields that the form checks.
FORM_FIELDS = [API_NAMES.get(name, name) for name in CustomerFieldsForm._meta.fields]


def customer_form(data, *, register, customer=None):
    """The form for ``data`` (the API's fields) from ``register``; for ``customer``, the
    fields ``data`` leaves out keep their values. National phone numbers are read as on
    the customer form, the register's store standing for the top bar's."""
    values = {FORM_NAMES.get(name, name): text(value) for name, value in data.items()}
    if customer is not None:
        kept = model_to_dict(customer, fields=CustomerFieldsForm._meta.fields)
        values = {**{name: text(value) for name, value in kept.items()}, **values}
    codes = data.get("stores") or []
    store_countries = Store.objects.filter(code__in=codes).values_list("country", flat=True)
    region, why = national_phone_region(
        store_countries=list(store_countries),
        country=values.get("country") or "",
        current_store_region=register.store.country.code or None,
    )
    return CustomerFieldsForm(
        data=values, instance=customer, phone_region=region,
        phone_region_why=TILL_WORDS.get(why, why),
    )  # fmt: skip


def text(value):
    """A value as a form reads it from a POST."""
    return "" if value is None else str(value)


def api_errors(form):
    """The form's errors by the API's field names: (code, message in plain text) each."""
    return {
        API_NAMES.get(name, name): [
            (
                error.code or "invalid",
                PLAIN_MESSAGES.get(error.code) or strip_tags(" ".join(error.messages)),
            )
            for error in errors
        ]
        for name, errors in form.errors.as_data().items()
    }
