from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views import View
from django.views.generic import DetailView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from backoffice import audit
from backoffice.exports import ExportFormat
from backoffice.paging import ResultCount
from backoffice.views import (
    BulkActionView,
    ObjectExportView,
    ObjectHistoryMixin,
    ObjectListView,
    list_url_to_return_to,
)
from loyalty.services import CardError, StaleBalance
from loyalty.tables import LedgerTable
from stores.current import get_current_store

from . import extensions, picker, scope, tallies
from .filters import (
    ALL_STORES,
    SEARCH_MAX_LENGTH,
    SEARCH_MAX_WORDS,
    CustomerFilterSet,
    found_in_other_stores,
    numbered_customer,
    search_words,
)
from .forms import CustomerForms
from .models import Channel, Customer
from .scope import CustomersInScopeMixin
from .services import (
    ConcurrentEditError,
    EmailTaken,
    PurgeRefused,
    RestoreConflictError,
    customer_add_to_store,
    customer_clear_bounce,
    customer_restore,
    customer_save,
    customers_delete,
    customers_purge,
)
from .tables import CustomerTable, DeletedCustomerTable

# The latest loyalty ledger entries on a customer's page; the rest are a click away.
LEDGER_ON_PAGE = 10
CONSENT_EVENTS_ON_PAGE = 10


def consent_states(customer):
    """(channel, state, level, source, changed at) of each channel, in words."""
    return [
        (
            label,
            getattr(customer, f"get_{channel}_consent_display")(),
            getattr(customer, f"get_{channel}_consent_level_display")(),
            getattr(customer, f"get_{channel}_consent_source_display")(),
            getattr(customer, f"{channel}_consent_at"),
        )
        for channel, label in Channel.choices
    ]


def customers_counted(count):
    return f"{count} customer{'s' if count != 1 else ''}"


class CustomerBulkActionView(CustomersInScopeMixin, BulkActionView):
    """A bulk action on customers (of the person's stores): its confirmation page lists them
    by name, with email."""

    queryset = Customer.objects.all()
    ordering = ("last_name", "first_name")

    def describe(self, customer):
        return customer.email


class CustomerBulkDeleteView(CustomerBulkActionView):
    permission_required = "customers.delete_customer"
    url_name = "customers:bulk_delete"
    list_url_name = "customers:list"
    label = "Delete selected"
    verb = "Delete"
    explanation = (
        "These customers will be moved to Deleted, with their stores, loyalty account and "
        "history. A manager can restore them from there."
    )

    def warn(self, customers):
        return extensions.warnings_for(customers)

    def perform(self, customers):
        count = customers_delete(customers=customers, actor=self.request.user)
        messages.success(
            self.request,
            f"{customers_counted(count)} moved to Deleted; a manager can restore them from there.",
        )


class CustomerRestoreView(CustomerBulkActionView):
    """Restoring undoes a delete and can itself be undone, so it needs no confirmation."""

    permission_required = "customers.restore_customer"
    queryset = Customer.all_objects.deleted()
    url_name = "customers:restore"
    list_url_name = "customers:deleted"
    label = "Restore selected"
    verb = "Restore"
    button_class = "btn-outline-primary"
    needs_confirmation = False

    def perform(self, customers):
        for customer in customers:
            try:
                customer_restore(customer=customer, actor=self.request.user)
            except RestoreConflictError as conflict:
                messages.error(
                    self.request,
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
                messages.success(self.request, f"Customer “{customer}” was restored.")


class CustomerPurgeView(CustomerBulkActionView):
    permission_required = "customers.purge_customer"
    queryset = Customer.all_objects.deleted()
    url_name = "customers:purge"
    list_url_name = "customers:deleted"
    label = "Purge selected for good"
    verb = "Purge"
    explanation = (
        "These customers, their store links, loyalty account, memberships, house accounts, "
        "ledgers and photos will be destroyed for good. This cannot be undone. The audit trail "
        "keeps that they existed, without their personal data. A customer whose account holds "
        "or owes money is not purged."
    )

    def refuse(self, customers):
        return {
            pk: [f"{warning} Settle it first." for warning in warnings]
            for pk, warnings in extensions.warnings_for(customers).items()
        }

    def perform(self, customers):
        try:
            count = customers_purge(customers=customers, actor=self.request.user)
        except PurgeRefused as refused:  # money moved since the page was shown
            messages.error(self.request, f"Nothing was purged: {refused} Settle it first.")
        else:
            messages.success(self.request, f"{customers_counted(count)} purged for good.")


class CustomerListView(CustomersInScopeMixin, ObjectListView):
    """The customers of the store chosen in the top bar (or of the whole chain when
    searching), with tiles counting that store's customers. A person who sees their own
    stores' customers only (``customers.scope``) finds another store's customer by an exact
    key, offered to be added to their store (``found_in_other_stores``)."""

    permission_required = "customers.view_customer"
    template_name = "customers/customer_list.html"
    queryset = Customer.objects.all()
    filterset_class = CustomerFilterSet
    table_class = CustomerTable
    bulk_actions = [CustomerBulkDeleteView]
    export_url_name = "customers:export"
    export_permission = "customers.export_customer"
    export_formats = {
        ExportFormat.CSV_FOR_EXCEL: "customers:export_excel_csv",
        ExportFormat.XLSX: "customers:export_xlsx",
    }
    title = "Customers"
    context_object_name = "customers"

    def get(self, request, *args, **kwargs):
        # A search longer than is used goes to the address of the search made, so that the
        # page and every link on it carry the short one (a 2,000-word search made a 1.8 MB
        # page of links).
        query = request.GET.get("q", "")
        used = " ".join(search_words(query))
        if used != " ".join(query.split()):
            messages.info(
                request,
                f"Only the first {SEARCH_MAX_WORDS} words and {SEARCH_MAX_LENGTH} characters "
                f"of a search are used: searched for “{used}”.",
            )
            return redirect(f"{request.path}?{urlencode({**request.GET.dict(), 'q': used})}")
        return super().get(request, *args, **kwargs)

    def get_filterset_kwargs(self):
        user = self.request.user
        return {
            **super().get_filterset_kwargs(),
            "current_store": get_current_store(self.request),
            "stores": scope.stores_in_scope(user),
            "chain_wide": scope.is_chain_wide(user),
        }

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")
        current_store = get_current_store(self.request)
        return super().get_context_data(
            found_in_other_stores=found_in_other_stores(
                query, user=self.request.user, current_store=current_store
            ),
            add_to_store=current_store,
            numbered_customer=numbered_customer(query, self.get_queryset()),
            **kwargs,
        )

    @cached_property
    def tile_filters(self):
        """(label, count, filters) of each tile, counted from the tallies for the chosen
        store (or the chain): one query, whatever the number of customers."""
        store = self.filterset.chosen_store
        if store is None and not self.filterset.chain_wide:
            return []  # a person holding no store has no customers to count
        counts = tallies.tile_counts(store)
        return [
            ("Total customers", counts["total"], {}),
            (
                "New this month",
                counts["new_this_month"],
                {"created_from": timezone.localdate().replace(day=1)},
            ),
            ("Loyalty members", counts["loyalty_members"], {"loyalty": "enrolled"}),
            ("Business customers", counts["business"], {"type": Customer.Type.BUSINESS}),
        ]

    def known_count(self):
        """A list that shows exactly one tile's customers has that tile's count."""
        if not self.filterset.is_valid():
            return None
        used = {
            name: value
            for name, value in self.filterset.form.cleaned_data.items()
            if value and name not in ("store", "sort")
        }
        for _, count, filters in self.tile_filters:
            if used == filters:
                return ResultCount(count)
        return None

    def get_tiles(self):
        store = self.filterset.chosen_store
        in_scope = {"store": store.code if store else ALL_STORES}
        current = {
            name: value
            for name, value in self.request.GET.items()
            if value and name not in ("page", "sort", "after", "before")
        }
        tiles = []
        for label, count, filters in self.tile_filters:
            params = {**in_scope, **{name: str(value) for name, value in filters.items()}}
            tiles.append(
                {
                    "label": label,
                    "count": count,
                    "url": f"{reverse('customers:list')}?{urlencode(params)}",
                    "active": params == current,
                }
            )
        return tiles


class CustomerLookupView(PermissionRequiredMixin, View):
    """The customers a picker's search box matches, as JSON: those of the top bar's store
    first (``customers/picker.py``)."""

    permission_required = "customers.view_customer"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "")[:SEARCH_MAX_LENGTH]
        found = picker.matches(
            query,
            customers=scope.restrict(Customer.objects.all(), request.user),
            current_store=get_current_store(request),
        )
        return JsonResponse(
            {
                "results": [
                    {"id": customer.pk, "name": str(customer), "detail": picker.described(customer)}
                    for customer in found
                ]
            }
        )


class CustomerAddToStoreView(PermissionRequiredMixin, View):
    """Add to my store: the customer is linked to the top bar's store, then their page
    opens. A person who sees their own stores' customers only reaches a customer of another
    store by the exact key they searched for, posted with it (``q``)."""

    permission_required = "customers.change_customer"

    def post(self, request, pk):
        customer = get_object_or_404(Customer, pk=pk)
        store = get_current_store(request)
        if store is None:
            messages.error(request, "Choose a store in the top bar first.")
            return redirect("customers:list")
        customer_add_to_store(
            customer=customer,
            store=store,
            actor=request.user,
            key=request.POST.get("q", "")[:SEARCH_MAX_LENGTH],
        )
        messages.success(request, f"Customer “{customer}” was added to {store.name}.")
        return redirect(customer)


class CustomerClearBounceView(
    PermissionRequiredMixin, CustomersInScopeMixin, SingleObjectMixin, View
):
    """Clear a customer's email bounce (they gave a working address again)."""

    permission_required = "customers.change_customer"
    model = Customer

    def post(self, request, pk):
        customer = self.get_object()
        if customer_clear_bounce(customer=customer, actor=request.user):
            messages.success(request, f"The email bounce of {customer} was cleared.")
        return redirect(customer)


class CustomerExportView(ObjectExportView):
    """The list as CSV (or, as configured in the URLs, CSV for Excel or a workbook): the
    same search, filters and sort, all pages; sent at once, or written in the background
    beyond the format's limit (100,000 customers in a CSV)."""

    permission_required = "customers.export_customer"
    list_view = CustomerListView
    list_url_name = "customers:list"
    filename = "customers-%Y%m%d-%H%M"


class DeletedCustomerListView(CustomersInScopeMixin, ObjectListView):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_deleted_list.html"
    queryset = Customer.all_objects.deleted().order_by("-deleted_at", "-pk")
    table_class = DeletedCustomerTable
    bulk_actions = [CustomerRestoreView, CustomerPurgeView]
    title = "Deleted customers"
    breadcrumbs = [("Customers", "customers:list")]
    context_object_name = "customers"


class CustomerDetailView(PermissionRequiredMixin, ObjectHistoryMixin, DetailView):
    permission_required = "customers.view_customer"
    context_object_name = "customer"

    def get_queryset(self):
        customers = Customer.objects.select_related(
            "loyalty_account", "loyalty_card", "created_by", "updated_by"
        ).prefetch_related("stores")
        return scope.restrict(customers, self.request.user)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Who looked at whom: one indexed insert (measured in bench/RESULTS.md, issue 24).
        audit.record(user=request.user, action=audit.Action.VIEW, obj=self.object, summary="Viewed")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = getattr(self.object, "loyalty_account", None)
        entries = account.entries.select_related("created_by")[:LEDGER_ON_PAGE] if account else []
        context["ledger_table"] = LedgerTable(list(entries))
        context["panels"] = extensions.panels_for(self.object)
        context["consent_states"] = consent_states(self.object)
        context["consent_events"] = self.object.consent_events.all()[:CONSENT_EVENTS_ON_PAGE]
        return_url = list_url_to_return_to(self.request, "customers:list")
        context["breadcrumbs"] = [("Customers", return_url)]
        context["return_url"] = return_url
        came_from_a_list = return_url != reverse("customers:list")
        context["return_query"] = f"?{urlencode({'next': return_url})}" if came_from_a_list else ""
        return context


class CustomerFormView(PermissionRequiredMixin, TemplateView):
    """The one-page create/edit form: four sections validated and saved together."""

    template_name = "customers/customer_form.html"

    def get_object(self):
        return None

    def get_forms(self, data=None, files=None):
        return CustomerForms(
            data,
            files,
            customer=self.object,
            phone_region=self.phone_region(),
            user=self.request.user,
        )

    def phone_region(self):
        """National phone numbers are read as those of the top bar's store's country."""
        store = get_current_store(self.request)
        return store.country.code if store and store.country else None

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
                loyalty_balance=loyalty["new_balance"],
                loyalty_reason=loyalty["reason"],
                loyalty_note=loyalty["note"],
                loyalty_version=loyalty["version"],
                loyalty_code=loyalty["code"],
                actor=request.user,
                expected_version=forms.general.cleaned_data["version"],
            )
        except EmailTaken:
            # Two saves raced to the same email address: the database kept one. The other
            # gets the error the form gives when it sees the clash itself.
            email = forms.general.cleaned_data["email"]
            clash = forms.general.duplicate_email_error(email)
            forms.general.add_error("email", clash or "Another customer has just taken it.")
            return self.render_to_response(self.get_context_data(forms=forms))
        except StaleBalance as stale:
            forms.loyalty.refuse_stale_balance(stale)
            return self.render_to_response(self.get_context_data(forms=forms))
        except CardError as error:
            forms.loyalty.add_error("code", str(error))
            return self.render_to_response(self.get_context_data(forms=forms))
        except ConcurrentEditError:
            if self.deleted_meanwhile():
                return self.refuse_deleted(forms)
            return self.show_conflict()
        forms.general.photo_saved()
        messages.success(request, self.success_message.format(name=customer))
        return redirect(self.return_url())

    def render_to_response(self, context, **response_kwargs):
        # A form posted and shown again is a refused save, whatever refused it: the photo
        # chosen is kept for the next try, since the browser cannot send the file again.
        if self.request.method == "POST":
            context["forms"].keep_chosen_photo()
        return super().render_to_response(context, **response_kwargs)

    def return_url(self):
        """The customer list as the user left it (search, filters, sort, page)."""
        return list_url_to_return_to(self.request, "customers:list")

    def deleted_meanwhile(self):
        return False

    def show_conflict(self):
        """Someone saved the customer after this form was loaded: nothing was saved. The
        page comes back with what was typed, merged with what was saved meanwhile: a field
        only the other person changed takes their value, a field both changed keeps the
        typed one and shows theirs beside it. It carries the new version, so "Keep my
        values" saves that, while "Take their values" reloads the page."""
        typed = self.get_forms(self.request.POST, self.request.FILES)
        self.object = self.get_object()
        data, conflicts, taken = typed.merge_saved_meanwhile(self.get_forms())
        data["version"] = str(self.object.version)
        for upload in self.request.FILES.values():
            upload.seek(0)  # read by the refused try; read again, to be kept for the next
        forms = self.get_forms(data, self.request.FILES)
        forms.is_valid()
        saver = self.object.updated_by
        if saver == self.request.user:
            who, opening = "you", "You saved this customer in another window"
        else:
            who = (saver.get_full_name() or saver.get_username()) if saver else "someone else"
            opening = f"Someone else ({who}) saved this customer"
        differing = forms.show_saved_values(conflicts, who)
        messages.error(
            self.request,
            f"{opening} while you were editing, so your changes were not saved yet. They are "
            "kept below, with the other changes merged in; where you both changed a field, "
            "it shows what was saved meanwhile. Press “Keep my values” to save, or “Take "
            "their values” to drop yours.",
        )
        return self.render_to_response(
            self.get_context_data(forms=forms, conflict=True, differing=differing, taken=taken)
        )

    def get_context_data(self, **kwargs):
        return_url = self.return_url()
        breadcrumbs = [("Customers", return_url)]
        if self.object:
            breadcrumbs.append((str(self.object), self.object.get_absolute_url()))
        return super().get_context_data(
            customer=self.object, breadcrumbs=breadcrumbs, return_url=return_url, **kwargs
        )


class CustomerCreateView(CustomerFormView):
    permission_required = "customers.add_customer"
    success_message = "Customer “{name}” was created."

    def get_forms(self, data=None, files=None):
        current_store = get_current_store(self.request)
        defaults = {
            "customer_type": self.request.GET.get("type"),
            "stores": [current_store] if current_store else None,
        }
        return CustomerForms(
            data,
            files,
            new_customer_defaults=defaults,
            phone_region=self.phone_region(),
            user=self.request.user,
        )


class CustomerUpdateView(CustomerFormView):
    permission_required = "customers.change_customer"
    success_message = "Customer “{name}” was updated."

    def get_object(self):
        customers = Customer.objects.select_related("loyalty_account", "loyalty_card")
        return get_object_or_404(scope.restrict(customers, self.request.user), pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        if self.deleted_meanwhile():
            self.object = Customer.all_objects.select_related("loyalty_account", "deleted_by").get(
                pk=self.kwargs["pk"]
            )
            forms = self.get_forms(request.POST, request.FILES)
            forms.is_valid()  # the typed values come back with their own errors, if any
            return self.refuse_deleted(forms)
        return super().post(request, *args, **kwargs)

    def deleted_meanwhile(self):
        deleted = scope.restrict(Customer.all_objects.deleted(), self.request.user)
        return deleted.filter(pk=self.kwargs["pk"]).exists()

    def refuse_deleted(self, forms):
        """Someone deleted the customer while this form was open: nothing is saved, and
        what was typed stays on the page, to be saved once a manager restores it."""
        customer = Customer.all_objects.select_related("deleted_by").get(pk=self.kwargs["pk"])
        who = (
            customer.deleted_by.get_full_name() or customer.deleted_by
            if customer.deleted_by
            else "someone"
        )
        messages.error(
            self.request,
            f"{customer} was moved to Deleted by {who} while you were editing, so your changes "
            "were not saved. They are kept below: a manager can restore the customer from "
            "Deleted, then you can press Update again.",
        )
        self.object = customer
        return self.render_to_response(self.get_context_data(forms=forms))


class CustomerPhotoView(PermissionRequiredMixin, CustomersInScopeMixin, DetailView):
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
        # Personal data: kept by the browser only, and checked with the server before reuse.
        response["Cache-Control"] = "private, no-cache"
        return response
