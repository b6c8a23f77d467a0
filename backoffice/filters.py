import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone

from .models import AuditEvent
from .tables import person


def object_type_label(content_type):
    """ "Customer", not "Customers | customer"."""
    model = content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model else content_type.model


# The days whose start is a datetime in every time zone: 0001-01-01 and 9999-12-31, moved
# to UTC, fall outside what a datetime holds. A date typed beyond them (date_to=9999-12-31)
# means "from the beginning" or "to the end", not an error.
FIRST_DAY = datetime.date(1, 1, 2)
LAST_DAY = datetime.date(9999, 12, 30)


def start_of_day(day, zone=None):
    """The first moment of ``day`` in ``zone`` (by default the current time zone)."""
    day = min(max(day, FIRST_DAY), LAST_DAY)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), zone)


def end_of_day(day, zone=None):
    """The first moment after ``day``: the start of the next one."""
    return start_of_day(
        min(day, LAST_DAY - datetime.timedelta(days=1)) + datetime.timedelta(days=1), zone
    )


class BootstrapFilterSet(django_filters.FilterSet):
    """A FilterSet whose form fields carry Bootstrap's classes."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            for field in super().form.fields.values():
                widget = field.widget
                if not widget.is_hidden:
                    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                    widget.attrs.setdefault("class", css)
        return self._form

    @property
    def crowded(self):
        """More filters than share one row of a wide screen and stay readable: they then
        take a sixth of it each, over two rows."""
        return len(self.form.visible_fields()) > 5


class AuditEventFilterSet(BootstrapFilterSet):
    user = django_filters.ModelChoiceFilter(
        label="Who",
        # In the order of the names shown: the full name, else the username.
        queryset=get_user_model().objects.order_by(
            Lower(
                Coalesce(
                    NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
                    "username",
                )
            ),
            "username",
        ),
        empty_label="Anyone",
    )
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices, empty_label="Any")
    # The kinds of objects the trail has events about: what staff work with, never an
    # internal model (the customers' tallies). Each is found through the events' index.
    object_type = django_filters.ModelChoiceFilter(
        label="Object type",
        field_name="content_type",
        queryset=ContentType.objects.filter(
            Exists(AuditEvent.objects.filter(content_type=OuterRef("pk")))
        ).order_by("app_label", "model"),
        empty_label="Any",
    )
    date_from = django_filters.DateFilter(
        label="From", method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="To", method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["user"].field.label_from_instance = person
        self.filters["object_type"].field.label_from_instance = object_type_label

    def filter_date_from(self, queryset, name, value):
        # Compared with a datetime, not through __date: that is a function call per row.
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=end_of_day(value))
