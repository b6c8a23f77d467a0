"""Choosing one customer among a million: a search box that lists matches as one types,
never a dropdown of every customer.

``CustomerPickerField`` posts the chosen customer's id (a hidden input filled by
``static/js/customer_picker.js`` from ``customers:lookup``) and the search text. Without a
chosen id, a search text that names exactly one customer (a whole email, phone number,
loyalty card code, customer ID or number) chooses that customer, so the form works
without scripts too.
"""

from django import forms
from django.urls import reverse

from . import scope
from .filters import ALL_STORES, CustomerFilterSet, in_store
from .models import Customer

RESULTS = 10


def matches(query, *, customers, current_store=None, limit=RESULTS):
    """The ``customers`` (those the person may see) that the list's search finds for
    ``query``, those of ``current_store`` first, by name."""
    search = CustomerFilterSet(
        {"q": query, "store": ALL_STORES, "sort": "name"},
        queryset=customers,
        current_store=current_store,
    )
    if not search.is_valid() or not query.strip():
        return []
    found = []
    if current_store is not None:
        found = list(in_store(search.qs, current_store)[:limit])
    others = search.qs.exclude(pk__in=[customer.pk for customer in found])
    return found + list(others[: limit - len(found)])


def described(customer):
    return " · ".join(str(part) for part in (customer.email, customer.phone) if part)


class CustomerPickerWidget(forms.Widget):
    template_name = "customers/widgets/customer_picker.html"
    customers = Customer.objects.all()

    def __init__(self, attrs=None):
        super().__init__({"class": "form-control", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        return {"id": data.get(name, ""), "search": data.get(f"{name}_search", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = value if isinstance(value, Customer) else None
        if chosen is None and isinstance(value, dict) and value["id"].isdigit():
            chosen = self.customers.filter(pk=value["id"]).first()
        elif chosen is None and isinstance(value, int | str) and str(value).isdigit():
            chosen = self.customers.filter(pk=value).first()
        typed = value.get("search", "") if isinstance(value, dict) else ""
        context["widget"].update(
            chosen=chosen,
            search=f"{chosen} · {described(chosen)}" if chosen else typed,
            lookup_url=reverse("customers:lookup"),
        )
        return context


class CustomerPickerField(forms.Field):
    widget = CustomerPickerWidget
    default_error_messages = {
        "required": "Type a name, email, phone or card code and choose the customer.",
        "not_found": "No customer matches “%(search)s”.",
        "ambiguous": "%(count)s customers match “%(search)s”: choose one from the list.",
    }

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Customer.objects.all()

    @property
    def queryset(self):
        return self._queryset

    @queryset.setter
    def queryset(self, customers):
        """The customers that may be chosen; the widget names a chosen one from them only."""
        self._queryset = self.widget.customers = customers

    def prepare_value(self, value):
        return value

    def to_python(self, value):
        if isinstance(value, Customer) or value in (None, ""):
            return value or None
        chosen, search = value["id"], value["search"].strip()
        if chosen.isascii() and chosen.isdigit():
            customer = self.queryset.filter(pk=chosen).first()
            if customer is not None:
                return customer
        if not search:
            return None
        found = matches(search, customers=self.queryset, limit=2)
        if not found:
            raise forms.ValidationError(
                self.error_messages["not_found"], code="not_found", params={"search": search}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"search": search, "count": "Several"},
            )
        return found[0]


class CustomerPickersInScopeMixin:
    """For a form view: its customer pickers offer the signed-in person's customers only
    (``customers.scope``)."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            if isinstance(field, CustomerPickerField):
                field.queryset = scope.restrict(field.queryset, self.request.user)
        return form
