from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import CreateView, FormView, UpdateView

from backoffice.filters import start_of_day
from backoffice.services import delete_recorded
from backoffice.views import (
    BulkActionView,
    ObjectFormMixin,
    ObjectListView,
    unless_taken_meanwhile,
)
from backoffice.viewsets import AccountMixin, LedgerAccountViewSet
from customers import scope
from customers.picker import CustomerPickersInScopeMixin
from customers.scope import CustomersInScopeMixin

from .filters import MembershipAccountFilterSet
from .forms import (
    ChargeForm,
    MemberForm,
    MembershipAccountEditForm,
    MembershipAccountForm,
    MembershipPlanForm,
    MembershipTypeForm,
)
from .models import MembershipAccount, MembershipPlan, MembershipType
from .services import (
    AlreadyAMember,
    MembershipError,
    membership_add_member,
    membership_charge,
    membership_open,
    membership_refund,
    membership_remove_member,
    membership_update,
)
from .tables import (
    MembershipAccountTable,
    MembershipEntryTable,
    MembershipPlanTable,
    MembershipTypeTable,
)

TABS = [
    ("Type", "memberships:types"),
    ("Plan", "memberships:plans"),
    ("Account", "memberships:accounts"),
]


class MembershipListView(ObjectListView):
    """One of the three tabs of the Membership page, with its tiles."""

    template_name = "memberships/membership_list.html"
    title = "Membership"
    tab = ""

    def get_tiles(self):
        accounts = reverse("memberships:accounts")
        month_start = timezone.localdate().replace(day=1)
        counted = scope.restrict(MembershipAccount.objects.all(), self.request.user, "customer_id")
        active = counted.filter(status=MembershipAccount.Status.ACTIVE)
        new = counted.filter(created_at__gte=start_of_day(month_start))
        return [
            {
                "label": "Active memberships",
                "count": active.count(),
                "url": f"{accounts}?status=active",
                "active": self.request.GET.dict() == {"status": "active"},
            },
            {
                "label": "New this month",
                "count": new.count(),
                "url": f"{accounts}?{urlencode({'created_from': month_start})}",
                "active": self.request.GET.dict() == {"created_from": str(month_start)},
            },
        ]

    def get_context_data(self, **kwargs):
        tabs = [(label, reverse(url_name), url_name == self.tab) for label, url_name in TABS]
        return super().get_context_data(tabs=tabs, **kwargs)


class MembershipTypeListView(MembershipListView):
    permission_required = "memberships.view_membershiptype"
    queryset = MembershipType.objects.order_by("-created_at", "-pk")
    table_class = MembershipTypeTable
    tab = "memberships:types"
    create_url_name = "memberships:type_create"
    create_label = "+ Membership Type"
    create_permission = "memberships.add_membershiptype"


class MembershipPlanListView(MembershipListView):
    permission_required = "memberships.view_membershipplan"
    queryset = MembershipPlan.objects.order_by("-created_at", "-pk")
    table_class = MembershipPlanTable
    tab = "memberships:plans"
    create_url_name = "memberships:plan_create"
    create_label = "+ Membership Plan"
    create_permission = "memberships.add_membershipplan"


class MembershipAccountListView(CustomersInScopeMixin, MembershipListView):
    customer_ref = "customer_id"
    permission_required = "memberships.view_membershipaccount"
    queryset = MembershipAccount.objects.all()
    filterset_class = MembershipAccountFilterSet
    table_class = MembershipAccountTable
    tab = "memberships:accounts"
    create_url_name = "memberships:account_create"
    create_label = "+ Membership Account"
    create_permission = "memberships.add_membershipaccount"
    context_object_name = "accounts"


class CatalogueFormMixin(PermissionRequiredMixin, ObjectFormMixin):
    breadcrumbs = [("Membership", "memberships:types")]


class MembershipTypeCreateView(CatalogueFormMixin, CreateView):
    permission_required = "memberships.add_membershiptype"
    model = MembershipType
    form_class = MembershipTypeForm
    list_url_name = "memberships:types"


class MembershipTypeUpdateView(CatalogueFormMixin, UpdateView):
    permission_required = "memberships.change_membershiptype"
    model = MembershipType
    form_class = MembershipTypeForm
    list_url_name = "memberships:types"


class MembershipPlanCreateView(CatalogueFormMixin, CreateView):
    permission_required = "memberships.add_membershipplan"
    model = MembershipPlan
    form_class = MembershipPlanForm
    list_url_name = "memberships:plans"


class MembershipPlanUpdateView(CatalogueFormMixin, UpdateView):
    permission_required = "memberships.change_membershipplan"
    model = MembershipPlan
    form_class = MembershipPlanForm
    list_url_name = "memberships:plans"


class CatalogueDeleteView(BulkActionView):
    """Delete types or plans, refusing those in use with how many use them."""

    verb = "Delete"
    label = "Delete selected"
    in_use_by = ""  # the related name counted, e.g. "plans"

    def perform(self, objects):
        for obj in objects:
            users = getattr(obj, self.in_use_by).count()
            if users:
                noun = getattr(obj, self.in_use_by).model._meta
                name = noun.verbose_name if users == 1 else noun.verbose_name_plural
                messages.error(
                    self.request,
                    f"“{obj}” was not deleted: {users} {name} use{'s' if users == 1 else ''} it.",
                )
            else:
                delete_recorded(instance=obj, actor=self.request.user)
                messages.success(self.request, f"“{obj}” was deleted.")


class MembershipTypeDeleteView(CatalogueDeleteView):
    permission_required = "memberships.delete_membershiptype"
    queryset = MembershipType.objects.all()
    url_name = "memberships:type_delete"
    list_url_name = "memberships:types"
    in_use_by = "plans"
    explanation = "These membership types will be deleted. A type that plans use is kept."


class MembershipPlanDeleteView(CatalogueDeleteView):
    permission_required = "memberships.delete_membershipplan"
    queryset = MembershipPlan.objects.all()
    url_name = "memberships:plan_delete"
    list_url_name = "memberships:plans"
    in_use_by = "accounts"
    explanation = "These membership plans will be deleted. A plan that accounts use is kept."


class MembershipAccountCreateView(
    PermissionRequiredMixin, CustomerPickersInScopeMixin, ObjectFormMixin, CreateView
):
    permission_required = "memberships.add_membershipaccount"
    model = MembershipAccount
    form_class = MembershipAccountForm
    template_name = "memberships/account_form.html"
    list_url_name = "memberships:accounts"
    breadcrumbs = [("Membership", "memberships:accounts")]

    def form_valid(self, form):
        user = self.request.user
        try:
            account = unless_taken_meanwhile(
                form, lambda: membership_open(account=form.save(commit=False), actor=user)
            )
        except AlreadyAMember as refusal:
            form.add_error("customer", str(refusal))
            account = None
        if account is None:
            return self.form_invalid(form)
        messages.success(self.request, f"{account} was opened for {account.customer}.")
        return redirect(account)


class MembershipAccountViewSet(LedgerAccountViewSet):
    """A membership's page, its edit form and its charge or refund form."""

    model = MembershipAccount
    select_related = ("customer", "plan__membership_type")
    url_prefix = "accounts/"
    list_url_name = "memberships:accounts"
    list_label = "Membership"
    error_class = MembershipError
    detail_template_name = "memberships/account_detail.html"
    entries_table_class = MembershipEntryTable
    view_permission = "memberships.view_membershipaccount"
    edit_url_name = "account_edit"
    edit_form_class = MembershipAccountEditForm
    change_permission = "memberships.change_membershipaccount"
    entry_path = "charge/"
    entry_url_name = "charge"
    entry_form_class = ChargeForm
    entry_form_id = "charge-form"
    entry_heading = "Charge or refund"
    entry_permission = "memberships.record_membership_charge"
    balance_label = "the allowance left"

    def update(self, account, *, actor, expected_version):
        membership_update(account=account, actor=actor, expected_version=expected_version)

    def post_entry(self, account, *, actor, data):
        post = membership_refund if data["kind"] == "refund" else membership_charge
        return post(
            account=account, amount=data["amount"], store=data["store"], note=data["note"],
            actor=actor, token=data["token"],
        )  # fmt: skip

    def may_record(self, account):
        return account.is_active

    def detail_context(self, request, account):
        return {"seats": account.seats.select_related("customer"), "member_form": MemberForm()}


MEMBERSHIP_ACCOUNTS = MembershipAccountViewSet()


class MemberAddView(PermissionRequiredMixin, AccountMixin, CustomerPickersInScopeMixin, FormView):
    permission_required = "memberships.change_membershipaccount"
    viewset = MEMBERSHIP_ACCOUNTS
    form_class = MemberForm
    template_name = "memberships/member_form.html"
    extra_context = {"submit_label": "Add member", "form_id": "member-form"}

    def form_valid(self, form):
        customer = form.cleaned_data["customer"]
        try:
            membership_add_member(account=self.account, customer=customer, actor=self.request.user)
        except MembershipError as refusal:
            form.add_error("customer", str(refusal))
            return self.form_invalid(form)
        messages.success(self.request, f"{customer} is now a member of {self.account}.")
        return redirect(self.account)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=f"Add a member to {self.account}", **kwargs)


class MemberRemoveView(PermissionRequiredMixin, AccountMixin, View):
    permission_required = "memberships.change_membershipaccount"
    viewset = MEMBERSHIP_ACCOUNTS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        customer = request.POST.get("customer", "")
        if not (customer.isascii() and customer.isdigit()):
            raise Http404("No such member.")
        seat = get_object_or_404(
            self.account.seats.select_related("customer"), customer_id=customer, is_holder=False
        )
        membership_remove_member(account=self.account, customer=seat.customer, actor=request.user)
        messages.success(request, f"{seat.customer} is no longer a member of {self.account}.")
        return redirect(self.account)
