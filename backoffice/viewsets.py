"""The pages of an account with a ledger (a membership, a house account), from one class.

As Wagtail's ``ModelViewSet`` builds a model's views and URLs from one class, a
``LedgerAccountViewSet`` subclass builds an account kind's three pages: the account's page
(its details, the entry form, the entries and the history), its edit form (refused when
the account changed since the form was loaded) and the entry form's own page (where a
refused entry is shown again with its message). The subclass names its model, forms,
templates and permissions, and implements its two services: ``update`` and ``post_entry``.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView

from customers import scope
from stores.current import get_current_store

from .models import AlreadyRecorded
from .money import format_money
from .views import LedgerEntriesMixin, ObjectHistoryMixin, already_recorded


class LedgerAccountViewSet:
    model = None
    select_related = ("customer",)
    url_prefix = ""  # before "<pk>/" in the app's URLs
    list_url_name = ""  # the accounts' list, first of the breadcrumbs
    list_label = ""
    error_class = Exception  # what the kind's services raise to refuse

    detail_template_name = ""
    entries_table_class = None
    view_permission = ""

    edit_url_name = "edit"
    edit_form_class = None
    edit_template_name = "generic/object_form.html"
    change_permission = ""

    entry_path = "entries/"
    entry_url_name = "entry"
    entry_form_class = None
    entry_form_id = "entry-form"
    entry_heading = ""  # "Charge or refund"
    entry_permission = ""
    balance_label = "the balance"  # "the allowance left"

    def update(self, account, *, actor, expected_version):
        raise NotImplementedError

    def post_entry(self, account, *, actor, data):
        """Record the entry form's ``data`` through the kind's ledger service."""
        raise NotImplementedError

    def accounts(self, user):
        """The accounts ``user`` may reach: those of the customers they may see."""
        accounts = self.model.objects.select_related(*self.select_related)
        return scope.restrict(accounts, user, "customer_id")

    def entry_form_kwargs(self, request):
        return {"current_store": get_current_store(request)}

    def detail_context(self, request, account):
        """What the account's page shows besides its details, entries and history."""
        return {}

    def may_record(self, account):
        """Whether entries may be recorded on the account now (an expired membership:
        no)."""
        return True

    def get_urls(self):
        pk = f"{self.url_prefix}<int:pk>/"
        return [
            path(pk, AccountDetailView.as_view(viewset=self), name="account"),
            path(f"{pk}edit/", AccountEditView.as_view(viewset=self), name=self.edit_url_name),
            path(
                f"{pk}{self.entry_path}",
                AccountEntryView.as_view(viewset=self),
                name=self.entry_url_name,
            ),
        ]

    def breadcrumbs(self, account=None):
        crumbs = [(self.list_label, reverse(self.list_url_name))]
        if account is not None:
            crumbs.append((str(account), account.get_absolute_url()))
        return crumbs


class AccountDetailView(
    PermissionRequiredMixin, LedgerEntriesMixin, ObjectHistoryMixin, DetailView
):
    viewset = None
    context_object_name = "account"

    def get_permission_required(self):
        return [self.viewset.view_permission]

    def get_queryset(self):
        return self.viewset.accounts(self.request.user)

    def get_template_names(self):
        return [self.viewset.detail_template_name]

    @property
    def entries_table_class(self):
        return self.viewset.entries_table_class

    def get_context_data(self, **kwargs):
        viewset, account, user = self.viewset, self.object, self.request.user
        namespace = self.request.resolver_match.namespace
        return super().get_context_data(
            viewset=viewset,
            edit_url=(
                reverse(f"{namespace}:{viewset.edit_url_name}", args=[account.pk])
                if user.has_perm(viewset.change_permission)
                else None
            ),
            entry_url=(
                reverse(f"{namespace}:{viewset.entry_url_name}", args=[account.pk])
                if user.has_perm(viewset.entry_permission) and viewset.may_record(account)
                else None
            ),
            entry_form=viewset.entry_form_class(**viewset.entry_form_kwargs(self.request)),
            breadcrumbs=viewset.breadcrumbs(),
            **viewset.detail_context(self.request, account),
            **kwargs,
        )


class AccountMixin:
    """A view about one account (``pk`` in the URL) of the ``viewset``'s kind."""

    viewset = None

    @cached_property
    def account(self):
        return get_object_or_404(self.viewset.accounts(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("breadcrumbs", self.viewset.breadcrumbs(self.account))
        kwargs.setdefault("cancel_url", self.account.get_absolute_url())
        return super().get_context_data(account=self.account, **kwargs)


class AccountFormView(PermissionRequiredMixin, AccountMixin, FormView):
    """A form about one account, on ``generic/object_form.html``."""

    template_name = "generic/object_form.html"


class AccountEditView(AccountFormView):
    extra_context = {"submit_label": "Save", "form_id": "object-form"}

    def get_permission_required(self):
        return [self.viewset.change_permission]

    def get_template_names(self):
        return [self.viewset.edit_template_name]

    def get_form_class(self):
        return self.viewset.edit_form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.account}

    def form_valid(self, form):
        try:
            self.viewset.update(
                form.instance,
                actor=self.request.user,
                expected_version=form.cleaned_data["version"],
            )
        except self.viewset.error_class as refusal:
            messages.error(self.request, str(refusal))
            return redirect(self.request.path)
        messages.success(self.request, f"{form.instance} was saved.")
        return redirect(form.instance)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=f"Edit {self.account}", **kwargs)


class AccountEntryView(AccountFormView):
    """Record an entry from the account's page; a refused one comes back here."""

    extra_context = {"submit_label": "Record"}

    def get_permission_required(self):
        return [self.viewset.entry_permission]

    def get_form_class(self):
        return self.viewset.entry_form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), **self.viewset.entry_form_kwargs(self.request)}

    def form_valid(self, form):
        try:
            entry = self.viewset.post_entry(
                self.account, actor=self.request.user, data=form.cleaned_data
            )
        except self.viewset.error_class as refusal:
            form.add_error("amount", str(refusal))
            return self.form_invalid(form)
        except AlreadyRecorded as repeat:
            return already_recorded(self.request, repeat.entry)
        messages.success(
            self.request,
            f"{entry.get_kind_display()} of {format_money(abs(entry.amount))} recorded: "
            f"{self.viewset.balance_label} is {format_money(entry.balance_after)}.",
        )
        return redirect(self.account)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=f"{self.viewset.entry_heading}: {self.account}",
            form_id=self.viewset.entry_form_id,
            **kwargs,
        )
