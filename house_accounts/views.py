import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import get_valid_filename
from django.views.generic import CreateView, TemplateView

from backoffice.filters import start_of_day
from backoffice.money import format_money
from backoffice.tables import Echo, neutralise
from backoffice.views import (
    BulkActionView,
    ObjectFormMixin,
    ObjectListView,
    unless_taken_meanwhile,
)
from backoffice.viewsets import AccountMixin, LedgerAccountViewSet
from customers.picker import CustomerPickersInScopeMixin
from customers.scope import CustomersInScopeMixin
from stores.current import get_current_store

from .filters import HouseAccountFilterSet
from .forms import EntryForm, HouseAccountEditForm, HouseAccountForm, StatementForm
from .models import HouseAccount
from .services import (
    HouseAccountError,
    house_account_delete,
    house_account_open,
    house_account_post,
    house_account_update,
    left_this_period,
    statement,
    store_zone,
)
from .tables import HouseAccountEntryTable, HouseAccountTable


class HouseAccountListView(CustomersInScopeMixin, ObjectListView):
    customer_ref = "customer_id"
    permission_required = "house_accounts.view_houseaccount"
    queryset = HouseAccount.objects.all()
    filterset_class = HouseAccountFilterSet
    table_class = HouseAccountTable
    title = "House Account"
    context_object_name = "accounts"
    create_url_name = "house_accounts:create"
    create_label = "+ New House Account"
    create_permission = "house_accounts.add_houseaccount"

    def get_tiles(self):
        month_start = timezone.localdate().replace(day=1)
        accounts = self.get_queryset()
        new = accounts.filter(created_at__gte=start_of_day(month_start))
        query = urlencode({"created_from": month_start})
        return [
            {
                "label": "House accounts",
                "count": accounts.count(),
                "url": reverse("house_accounts:list"),
                "active": not self.request.GET,
            },
            {
                "label": "New this month",
                "count": new.count(),
                "url": f"{reverse('house_accounts:list')}?{query}",
                "active": self.request.GET.get("created_from") == str(month_start),
            },
        ]


class HouseAccountCreateView(
    PermissionRequiredMixin, CustomerPickersInScopeMixin, ObjectFormMixin, CreateView
):
    permission_required = "house_accounts.add_houseaccount"
    model = HouseAccount
    form_class = HouseAccountForm
    template_name = "house_accounts/account_form.html"
    list_url_name = "house_accounts:list"
    breadcrumbs = [("House Account", "house_accounts:list")]

    def form_valid(self, form):
        try:
            account = unless_taken_meanwhile(form, lambda: house_account_open(
                account=form.save(commit=False),
                opening_balance=form.cleaned_data["opening_balance"],
                actor=self.request.user,
            ))  # fmt: skip
        except HouseAccountError as error:  # the opening entry's own rules
            form.add_error("opening_balance", str(error))
            account = None
        if account is None:
            return self.form_invalid(form)
        messages.success(self.request, f"{account} was opened for {account.customer}.")
        return redirect(account)


class HouseAccountViewSet(LedgerAccountViewSet):
    """A house account's page, its edit form and its charge, payment or refund form."""

    model = HouseAccount
    list_url_name = "house_accounts:list"
    list_label = "House Account"
    error_class = HouseAccountError
    detail_template_name = "house_accounts/account_detail.html"
    entries_table_class = HouseAccountEntryTable
    view_permission = "house_accounts.view_houseaccount"
    edit_form_class = HouseAccountEditForm
    edit_template_name = "house_accounts/account_form.html"
    change_permission = "house_accounts.change_houseaccount"
    entry_form_class = EntryForm
    entry_heading = "Charge, payment or refund"
    entry_permission = "house_accounts.record_house_account_charge"

    def update(self, account, *, actor, expected_version):
        house_account_update(account=account, actor=actor, expected_version=expected_version)

    def post_entry(self, account, *, actor, data):
        return house_account_post(account=account, actor=actor, **data)

    def entry_form_kwargs(self, request):
        return {
            **super().entry_form_kwargs(request),
            "large_payments": request.user.has_perm("house_accounts.record_large_payment"),
        }

    def detail_context(self, request, account):
        # The period on the clock of the store in the top bar, which would charge.
        left = left_this_period(account, store=get_current_store(request))
        return {"statement_form": StatementForm(), "left_this_period": left}


HOUSE_ACCOUNTS = HouseAccountViewSet()


class HouseAccountDeleteView(CustomersInScopeMixin, BulkActionView):
    """Delete house accounts; one with a balance (owed or in credit) is kept."""

    customer_ref = "customer_id"
    permission_required = "house_accounts.delete_houseaccount"
    queryset = HouseAccount.objects.select_related("customer")
    url_name = "house_accounts:delete"
    list_url_name = "house_accounts:list"
    label = "Delete selected"
    verb = "Delete"
    explanation = "These house accounts and their entries will be deleted for good."

    def describe(self, account):
        return f"{account.customer}, balance {format_money(account.balance)}"

    def perform(self, accounts):
        for account in accounts:
            try:
                house_account_delete(account=account, actor=self.request.user)
            except HouseAccountError as refusal:
                messages.error(self.request, str(refusal))
            else:
                messages.success(self.request, f"{account} was deleted.")


class StatementView(PermissionRequiredMixin, AccountMixin, TemplateView):
    """A statement for a date range: the opening balance, the entries, the closing
    balance; printable, and as CSV with ``format=csv``."""

    permission_required = "house_accounts.view_houseaccount"
    viewset = HOUSE_ACCOUNTS
    template_name = "house_accounts/statement.html"

    def get_context_data(self, **kwargs):
        customer = self.account.customer
        return super().get_context_data(
            chain_name=settings.CHAIN_NAME,
            stores=statement_stores(customer, get_current_store(self.request)),
            address=postal_address(customer),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        form = StatementForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        # Days on the clock of the store printing it, when it is the one store it heads.
        stores = statement_stores(self.account.customer, get_current_store(request))
        zone = store_zone(stores[0] if len(stores) == 1 else None)
        opening, entries, closing = statement(self.account, first, last, zone=zone)
        if request.GET.get("format") == "csv":
            return self.csv_response(first, last, opening, entries, closing, zone)
        return self.render_to_response(
            self.get_context_data(
                form=form, shown=True, first=first, last=last, opening=opening, closing=closing,
                entries_table=HouseAccountEntryTable(entries),
                csv_query=urlencode({**request.GET.dict(), "format": "csv"}),
            )
        )  # fmt: skip

    def csv_response(self, first, last, opening, entries, closing, zone):
        writer = csv.writer(Echo())
        rows = [
            ["date", "entry", "store", "reference", "note", "amount", "balance_after", "who"],
            [first.isoformat(), "Opening balance", "", "", "", "", str(opening), ""],
            *(
                [
                    timezone.localtime(entry.created_at, zone).isoformat(timespec="seconds"),
                    entry.get_kind_display(),
                    str(entry.store or ""),
                    neutralise(entry.reference),
                    neutralise(entry.note),
                    str(entry.amount),
                    str(entry.balance_after),
                    entry.created_by.get_username() if entry.created_by else "",
                ]
                for entry in entries
            ),
            [last.isoformat(), "Closing balance", "", "", "", "", str(closing), ""],
        ]
        number = get_valid_filename(self.account.account_number)
        filename = f"statement-{number}-{first:%Y%m%d}-{last:%Y%m%d}.csv"
        return StreamingHttpResponse(
            (writer.writerow(row) for row in rows),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def statement_stores(customer, current_store):
    """The stores a statement is headed with: the top bar's store when the customer shops
    there (the store printing it), else every store of the customer."""
    stores = list(customer.stores.order_by("name"))
    return [current_store] if current_store in stores else stores


def postal_address(customer):
    """The customer's name and address as lines of a letter: street, apartment, "city, state
    ZIP", country; the lines the customer has no value for are left out."""
    region = " ".join(filter(None, [customer.state, customer.zip_code]))
    lines = [
        customer.display_name,
        customer.full_name if customer.is_business else "",
        customer.address_line1,
        customer.address_line2,
        ", ".join(filter(None, [customer.city, region])),
        customer.country.name if customer.country else "",
    ]
    return [line for line in lines if line]
