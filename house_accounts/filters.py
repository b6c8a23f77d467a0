import django_filters
from django import forms

from backoffice.filters import BootstrapFilterSet, start_of_day
from customers.filters import account_search

from .models import HouseAccount


class HouseAccountFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Account number or name"}),
    )
    created_from = django_filters.DateFilter(
        label="Opened from", method="filter_created_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = HouseAccount
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(account_search(value, number_field="account_number"))

    def filter_created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=start_of_day(value))
