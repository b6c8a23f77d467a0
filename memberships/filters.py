import django_filters
from django import forms

from backoffice.filters import BootstrapFilterSet, start_of_day
from customers.filters import account_search

from .models import MembershipAccount, MembershipPlan


class MembershipAccountFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Card number or name"}),
    )
    plan = django_filters.ModelChoiceFilter(
        queryset=MembershipPlan.objects.all(), empty_label="All plans"
    )
    status = django_filters.ChoiceFilter(
        choices=MembershipAccount.Status.choices, empty_label="Any status"
    )
    created_from = django_filters.DateFilter(
        label="Opened from", method="filter_created_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = MembershipAccount
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(account_search(value, number_field="card_number"))

    def filter_created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=start_of_day(value))
