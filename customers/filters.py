import re

import django_filters
from django import forms
from django.db.models import Case, F, Q, When

from stores.models import Store

from .models import Customer

PHONE_PUNCTUATION = re.compile(r"[\s().\-]")
PHONE_FRAGMENT = re.compile(r"\+?\d{2,}")

ALL_STORES = "all"
LOYALTY_CHOICES = [("enrolled", "Enrolled"), ("not_enrolled", "Not enrolled")]
# Bookmarks and scripts may say yes/no or true/false; the form speaks enrolled/not_enrolled.
LOYALTY_SYNONYMS = {
    "yes": "enrolled",
    "true": "enrolled",
    "1": "enrolled",
    "no": "not_enrolled",
    "false": "not_enrolled",
    "0": "not_enrolled",
}
SORT_COLUMNS = {
    "name": ("last_name", "first_name", "pk"),
    "email": ("email", "pk"),
    "created": ("created_at", "pk"),
    "balance": ("loyalty_points", "pk"),
}


class StoreChoiceField(forms.ModelChoiceField):
    """A store given by its code (as links and exports do), or by its primary key."""

    def to_python(self, value):
        is_number = isinstance(value, str) and value.isdigit()
        if is_number and not self.queryset.filter(code=value).exists():
            by_pk = self.queryset.filter(pk=value).values_list("code", flat=True).first()
            value = by_pk or value
        return super().to_python(value)


class StoreFilter(django_filters.ModelChoiceFilter):
    field_class = StoreChoiceField


class CustomerFilterSet(django_filters.FilterSet):
    """Search, filters and sort of the customer list, all read from the query string.

    With no ``store`` in the query string the list is limited to the store chosen in the top
    bar, unless a search is made: a returning customer from another store must be found.
    ``store=all`` lifts the limit explicitly.
    """

    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": "Name, company, email, phone or customer ID",
            }
        ),
    )
    type = django_filters.ChoiceFilter(
        field_name="customer_type", choices=Customer.Type.choices, empty_label="All types"
    )
    store = StoreFilter(
        field_name="stores",
        queryset=Store.objects.all(),
        to_field_name="code",
        empty_label="All stores",
    )
    loyalty = django_filters.ChoiceFilter(
        method="filter_loyalty", choices=LOYALTY_CHOICES, empty_label="Any loyalty"
    )
    created_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="Created from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[(key, key) for column in SORT_COLUMNS for key in (column, f"-{column}")],
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Customer
        fields = []

    def __init__(self, data=None, *args, current_store=None, **kwargs):
        data = data.copy() if data is not None else {}
        if data.get("loyalty"):
            data["loyalty"] = LOYALTY_SYNONYMS.get(data["loyalty"].lower(), data["loyalty"])
        if data.get("store") == ALL_STORES:
            data["store"] = ""
        elif not data.get("store") and not data.get("q") and current_store:
            data["store"] = current_store.code
        super().__init__(data, *args, **kwargs)
        for name in ("type", "store", "loyalty"):
            self.form.fields[name].widget.attrs["class"] = "form-select"
        self.form.fields["created_from"].widget.attrs["class"] = "form-control"

    def search(self, queryset, name, value):
        """Every word must match part of a name, the company, email, phone or customer ID.

        Phones are stored as E.164 (+14155550123), so the punctuation people type in a phone
        number is dropped before comparing.
        """
        for term in value.split():
            matches = (
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(company_name__icontains=term)
                | Q(email__icontains=term)
                | Q(id_number__icontains=term)
            )
            digits = PHONE_PUNCTUATION.sub("", term)
            if PHONE_FRAGMENT.fullmatch(digits):
                matches |= Q(phone__contains=digits)
            queryset = queryset.filter(matches)
        return queryset

    def filter_loyalty(self, queryset, name, value):
        enrolled = Q(loyalty_account__enrolled=True)
        return queryset.filter(enrolled if value == "enrolled" else ~enrolled)

    def sort_by(self, queryset, name, value):
        column = value.removeprefix("-")
        if column == "balance":
            # Points of customers who are not enrolled are not shown, so they sort last.
            queryset = queryset.annotate(
                loyalty_points=Case(
                    When(loyalty_account__enrolled=True, then=F("loyalty_account__balance"))
                )
            )
        descending = value.startswith("-")
        return queryset.order_by(
            *(
                F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
                for field in SORT_COLUMNS[column]
            )
        )

    @property
    def current_sort(self):
        """The sort in effect, e.g. "-created"."""
        return self.form.cleaned_data.get("sort") or "-created"

    @property
    def store_scope(self):
        """The store the list is limited to, or None for the whole chain."""
        return self.form.cleaned_data.get("store")
