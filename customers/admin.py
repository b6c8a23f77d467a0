from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.urls import reverse

from loyalty.models import LoyaltyAccount

from .consent import consent_field_names
from .filters import ALL_STORES, CustomerFilterSet, customer_number, search_words
from .models import LIVE, ConsentSource, Customer
from .services import customer_save


class LoyaltyAccountInline(admin.StackedInline):
    """Shown read-only: balances change through the back office, which writes the ledger."""

    model = LoyaltyAccount
    fields = ["enrolled", "balance", "updated_at"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


class AdminPhotoWidget(AdminFileWidget):
    """The current photo as a thumbnail linking to the back office's photo view: photos
    are personal data, never served from ``MEDIA_URL``, where the stock link pointed."""

    template_name = "customers/widgets/admin_photo_input.html"
    photo_url = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["photo_url"] = self.photo_url
        return context


ADMIN_EXACT_MOST = 100  # customers found by one exact key: a handful, at most


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "customer_type", "email", "phone", "loyalty_balance", "created_at"]
    list_filter = [
        "customer_type",
        "stores",
        "loyalty_account__enrolled",
        ("deleted_at", admin.EmptyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["loyalty_account"]
    # The back office's own search (get_search_results), which indexes serve on both
    # databases. No date_hierarchy: it reads the distinct dates of every row on each page,
    # and "created at" is a filter already; no second, unfiltered count either.
    search_fields = ["first_name", "last_name", "company_name", "email", "phone", "id_number"]
    show_full_result_count = False
    filter_horizontal = ["stores"]
    readonly_fields = [
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "deleted_at",
        "deleted_by",
        *consent_field_names("email")[1:],
        *consent_field_names("sms")[1:],
        "email_bounced_at",
    ]
    inlines = [LoyaltyAccountInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        photo = form.base_fields.get("photo")
        if photo is not None:  # a new form class, and widget, for each request
            photo.widget = AdminPhotoWidget(attrs=photo.widget.attrs)
            if obj is not None and obj.photo:
                photo.widget.photo_url = reverse("customers:photo", args=[obj.pk])
        return form

    def get_queryset(self, request):
        # Administrators see deleted customers too (filter "deleted at").
        return Customer.all_objects.all()

    @admin.display(description="loyalty balance", ordering="loyalty_account__balance")
    def loyalty_balance(self, customer):
        account = getattr(customer, "loyalty_account", None)
        return account.balance if account and account.enrolled else "—"

    def get_search_results(self, request, queryset, search_term):
        """The customer list's search (whole emails, phones and codes looked up exactly,
        other words through the search indexes) instead of an ``icontains`` per field,
        which SQLite answers by reading every customer."""
        if not search_term:
            return queryset, False
        search = CustomerFilterSet({"q": search_term, "store": ALL_STORES}, queryset=queryset)
        term = " ".join(search_words(search_term))
        if customer_number(term) is None and (exact := search.exact_match(term)) is not None:
            # The exact keys' indexes hold live customers only, and this list shows the
            # deleted ones too: each part is looked up apart (an OR of both read every
            # customer: 2.9 s at a million on SQLite). The deleted part is asked in the
            # words of its partial index (NOT deleted_at IS NULL), which SQLite matches.
            named = [
                pk
                for part in (Customer.objects.all(), Customer.all_objects.exclude(LIVE))
                for pk in part.filter(exact)
                .order_by()
                .values_list("pk", flat=True)[:ADMIN_EXACT_MOST]
            ]
            if named:
                return queryset.filter(pk__in=named), False
        return search.qs, False

    def save_model(self, request, obj, form, change):
        """Save through the back office's service, which also writes the audit trail."""
        customer_save(
            customer=obj,
            stores=form.cleaned_data["stores"],
            actor=request.user,
            consent_source=ConsentSource.ADMIN,
        )

    def save_related(self, request, form, formsets, change):
        """The stores were set by ``customer_save``: only the (read-only) inline is left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        """Customers are deleted, restored and purged in the back office, which keeps the
        Deleted list and the audit trail."""
        return False
