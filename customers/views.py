from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin, UserPassesTestMixin
from django.db.models import Count, Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView, View
from django_filters.views import FilterView

from stores.current import get_current_store

from . import exports
from .filters import ALL_STORES, CustomerFilterSet
from .forms import CustomerForms
from .models import Customer
from .services import (
    ConcurrentEditError,
    RestoreConflictError,
    customer_restore,
    customer_save,
    customers_delete,
    customers_purge,
)

SORTABLE_COLUMNS = [
    ("name", "Name"),
    ("email", "Email"),
    ("created", "Created"),
    ("balance", "Balance"),
]


class ForgivingPaginationMixin:
    """Pages for the lists: a page number past the end, or not a number, shows the nearest
    page instead of a 404 (an old bookmark still opens the list), and ``page_range`` gives
    the numbers around the current page with … for the gaps (1 2 … 7 8 9 … 40)."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context["page_range"] = page.paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        )
        return context


class CustomerFilterMixin:
    """The list's queryset: the query string's search, filters and sort, in the store scope."""

    filterset_class = CustomerFilterSet

    def get_filterset_kwargs(self, filterset_class):
        return {
            "data": self.request.GET,
            "queryset": self.get_queryset(),
            "request": self.request,
            "current_store": get_current_store(self.request),
        }


class CustomerListView(
    PermissionRequiredMixin, CustomerFilterMixin, ForgivingPaginationMixin, FilterView
):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_list.html"
    context_object_name = "customers"
    paginate_by = 50

    def get_queryset(self):
        return Customer.objects.select_related("loyalty_account").prefetch_related("stores")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tiles"] = self.tiles()
        context["sort_columns"] = self.sort_columns()
        context["sort_description"] = self.sort_description()
        return context

    def tiles(self):
        """Counts for the tiles above the list, in one query, for the current store scope."""
        store = self.filterset.chosen_store
        scope = Customer.objects.filter(stores=store) if store else Customer.objects.all()
        month_start = timezone.localdate().replace(day=1)
        counts = scope.aggregate(
            total=Count("pk"),
            new_this_month=Count("pk", filter=Q(created_at__date__gte=month_start)),
            loyalty_members=Count("pk", filter=Q(loyalty_account__enrolled=True)),
            business=Count("pk", filter=Q(customer_type=Customer.Type.BUSINESS)),
        )
        in_scope = {"store": store.code if store else ALL_STORES}
        current = {k: v for k, v in self.request.GET.items() if v and k not in ("page", "sort")}
        tiles = [
            ("Total customers", counts["total"], in_scope),
            (
                "New this month",
                counts["new_this_month"],
                {**in_scope, "created_from": month_start.isoformat()},
            ),
            ("Loyalty members", counts["loyalty_members"], {**in_scope, "loyalty": "enrolled"}),
            (
                "Business customers",
                counts["business"],
                {**in_scope, "type": Customer.Type.BUSINESS},
            ),
        ]
        return [
            {
                "label": label,
                "count": count,
                "query": urlencode(params),
                "active": params == current,
            }
            for label, count, params in tiles
        ]

    def sort_columns(self):
        """Each sortable column's header: its sort now, and the sort a click on it gives."""
        current = self.filterset.current_sort
        columns = {}
        for key, label in SORTABLE_COLUMNS:
            direction = "asc" if current == key else "desc" if current == f"-{key}" else None
            columns[key] = {
                "label": label,
                "direction": direction,
                "next": f"-{key}" if direction == "asc" else key,
            }
        return columns

    def sort_description(self):
        current = self.filterset.current_sort
        label = dict(SORTABLE_COLUMNS)[current.removeprefix("-")].lower()
        return f"{label}, {'descending' if current.startswith('-') else 'ascending'}"


class CustomerExportView(PermissionRequiredMixin, CustomerFilterMixin, View):
    """The list as CSV: the same search, filters and sort, all pages, streamed."""

    permission_required = "customers.export_customer"

    def get_queryset(self):
        return Customer.objects.all()

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(**self.get_filterset_kwargs(self.filterset_class))
        queryset = filterset.qs if filterset.is_valid() else Customer.objects.none()
        filename = timezone.localtime().strftime("customers-%Y%m%d-%H%M.csv")
        return StreamingHttpResponse(
            exports.csv_lines(queryset),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


class CustomerDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "customers.view_customer"
    context_object_name = "customer"

    def get_queryset(self):
        return Customer.objects.select_related(
            "loyalty_account", "created_by", "updated_by"
        ).prefetch_related("stores")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = getattr(self.object, "loyalty_account", None)
        context["ledger"] = account.entries.select_related("created_by")[:10] if account else []
        return context


class CustomerFormView(PermissionRequiredMixin, TemplateView):
    """The one-page create/edit form: four sections validated and saved together."""

    template_name = "customers/customer_form.html"

    def get_object(self):
        return None

    def get_forms(self, data=None, files=None):
        return CustomerForms(data, files, customer=self.object)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(forms=self.get_forms()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        forms = self.get_forms(request.POST, request.FILES)
        if not forms.is_valid():
            return self.render_to_response(self.get_context_data(forms=forms))
        loyalty = forms.loyalty.cleaned_data
        try:
            customer = customer_save(
                customer=forms.general.instance,
                stores=forms.stores.cleaned_data["stores"],
                loyalty_enrolled=loyalty["enrolled"],
                loyalty_balance=loyalty["balance"],
                loyalty_reason=loyalty["reason"],
                user=request.user,
                expected_version=forms.general.cleaned_data["version"],
            )
        except ConcurrentEditError:
            messages.error(
                request,
                "Someone else saved this customer while you were editing, so your changes were "
                "not saved. The form now shows the current values: make your changes again "
                "and press Update.",
            )
            self.object = self.get_object()
            return self.render_to_response(self.get_context_data(forms=self.get_forms()))
        messages.success(request, self.success_message.format(name=customer))
        return redirect("customers:list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(customer=self.object, **kwargs)


class CustomerCreateView(CustomerFormView):
    permission_required = "customers.add_customer"
    success_message = "Customer “{name}” was created."

    def get_forms(self, data=None, files=None):
        current_store = get_current_store(self.request)
        defaults = {
            "customer_type": self.request.GET.get("type"),
            "stores": [current_store] if current_store else None,
        }
        return CustomerForms(data, files, new_customer_defaults=defaults)


class CustomerUpdateView(CustomerFormView):
    permission_required = "customers.change_customer"
    success_message = "Customer “{name}” was updated."

    def get_object(self):
        return get_object_or_404(
            Customer.objects.select_related("loyalty_account"), pk=self.kwargs["pk"]
        )


class CustomerPhotoView(PermissionRequiredMixin, DetailView):
    """Serve a customer's photo to signed-in staff only; photos are personal data."""

    permission_required = "customers.view_customer"
    model = Customer

    def get(self, request, *args, **kwargs):
        customer = self.get_object()
        if not customer.photo:
            raise Http404("This customer has no photo.")
        try:
            response = FileResponse(customer.photo.open("rb"))
        except FileNotFoundError:
            raise Http404("The photo file is missing.") from None
        response["Cache-Control"] = "private, max-age=3600"
        return response


class SelectedCustomersMixin:
    """Customers ticked on a list, posted as ``selected`` primary keys."""

    selection_queryset = Customer.objects.all()

    def selected_customers(self):
        ids = [pk for pk in self.request.POST.getlist("selected") if pk.isdigit()]
        return list(self.selection_queryset.filter(pk__in=ids).order_by("last_name", "first_name"))


class CustomerBulkDeleteView(PermissionRequiredMixin, SelectedCustomersMixin, TemplateView):
    """Ticked customers, then a confirmation page naming them, then the Deleted list."""

    permission_required = "customers.delete_customer"
    template_name = "customers/customer_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        return redirect("customers:list")

    def post(self, request, *args, **kwargs):
        customers = self.selected_customers()
        if not customers:
            messages.warning(request, "Tick the customers to delete first.")
            return redirect("customers:list")
        if "confirm" not in request.POST:
            return self.render_to_response(self.get_context_data(customers=customers))
        count = customers_delete(customers=customers, user=request.user)
        messages.success(
            request,
            f"{count} customer{'s' if count != 1 else ''} moved to Deleted; "
            "a manager can restore them from there.",
        )
        return redirect("customers:list")


class DeletedCustomerListView(PermissionRequiredMixin, ForgivingPaginationMixin, ListView):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_deleted_list.html"
    context_object_name = "customers"
    paginate_by = 50

    def get_queryset(self):
        return (
            Customer.all_objects.deleted()
            .select_related("deleted_by", "loyalty_account")
            .prefetch_related("stores")
            .order_by("-deleted_at", "-pk")
        )


class CustomerRestoreView(PermissionRequiredMixin, SelectedCustomersMixin, View):
    permission_required = "customers.restore_customer"
    selection_queryset = Customer.all_objects.deleted()

    def post(self, request, *args, **kwargs):
        for customer in self.selected_customers():
            try:
                customer_restore(customer=customer, user=request.user)
            except RestoreConflictError as conflict:
                messages.error(
                    request,
                    format_html(
                        "{} was not restored: its email {} now belongs to "
                        '<a href="{}">{}</a>. Change that customer\'s email first, or keep '
                        "this one deleted.",
                        customer,
                        customer.email,
                        conflict.holder.get_absolute_url(),
                        conflict.holder,
                    ),
                )
            else:
                messages.success(request, f"Customer “{customer}” was restored.")
        return redirect("customers:deleted")


class CustomerPurgeView(UserPassesTestMixin, SelectedCustomersMixin, View):
    """Destroy deleted customers for good: superusers only."""

    selection_queryset = Customer.all_objects.deleted()

    def test_func(self):
        return self.request.user.is_superuser

    def post(self, request, *args, **kwargs):
        count = customers_purge(customers=self.selected_customers())
        messages.success(request, f"{count} customer{'s' if count != 1 else ''} purged for good.")
        return redirect("customers:deleted")
