import re

import django_filters
from django import forms
from django.db.models import Q

from .models import Customer

PHONE_PUNCTUATION = re.compile(r"[\s().\-]")
PHONE_FRAGMENT = re.compile(r"\+?\d{2,}")


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": "Name, email, phone or customer ID",
            }
        ),
    )

    class Meta:
        model = Customer
        fields = ["q"]

    def search(self, queryset, name, value):
        """Every word must match part of a name, the email, the phone or the customer ID.

        Phones are stored as E.164 (+14155550123), so the punctuation people type in a phone
        number is dropped before comparing.
        """
        for term in value.split():
            matches = (
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
                | Q(id_number__icontains=term)
            )
            digits = PHONE_PUNCTUATION.sub("", term)
            if PHONE_FRAGMENT.fullmatch(digits):
                matches |= Q(phone__contains=digits)
            queryset = queryset.filter(matches)
        return queryset
