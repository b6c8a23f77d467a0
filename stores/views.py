from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from backoffice.views import ObjectListView

from .current import choose_store
from .forms import StaffStoresForm, StoreChoiceForm, StorePreferenceForm
from .models import StorePreference
from .services import refuse_own_stores, staff_in_scope, staff_stores_set, stores_held_by
from .tables import StaffTable


class ChooseStoreView(LoginRequiredMixin, View):
    """Remember the store chosen in the top bar, then go back to the page it was chosen on."""

    def post(self, request):
        form = StoreChoiceForm(request.POST, user=request.user)
        if not form.is_valid():
            return HttpResponseBadRequest("Unknown store.")
        choose_store(request, form.cleaned_data["store"])
        next_url = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("customers:list")
        return HttpResponseRedirect(next_url)


class StoreSettingsView(LoginRequiredMixin, UpdateView):
    """The signed-in person's own settings: the store the top bar starts with."""

    form_class = StorePreferenceForm
    template_name = "stores/settings.html"
    extra_context = {"heading": "My settings", "submit_label": "Save", "form_id": "settings-form"}

    def get_object(self, queryset=None):
        user = self.request.user
        return StorePreference.objects.filter(user=user).first() or StorePreference(user=user)

    def form_valid(self, form):
        preference = form.save()
        if preference.default_store is None:
            messages.success(
                self.request, "No default store: you will start with the store you chose last."
            )
        else:
            messages.success(
                self.request,
                f"Your default store is {preference.default_store}: the top bar starts with it "
                "each time you sign in.",
            )
        return redirect("stores:settings")

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("customers:list"), **kwargs)


class StaffListView(ObjectListView):
    """Staff (Managers): each active person's roles and the stores they hold; a manager
    of some stores sees the people who share one of them."""

    permission_required = "stores.view_staffstore"
    table_class = StaffTable
    title = "Staff"
    context_object_name = "staff"

    def get_queryset(self):
        return staff_in_scope(self.request.user).order_by("username", "pk")


class StaffStoresView(PermissionRequiredMixin, SingleObjectMixin, FormView):
    """The stores one person holds."""

    permission_required = "stores.change_staffstore"
    form_class = StaffStoresForm
    template_name = "generic/object_form.html"
    extra_context = {"submit_label": "Save", "form_id": "staff-stores-form"}

    def get_queryset(self):
        return staff_in_scope(self.request.user)

    @cached_property
    def object(self):
        """The person, read once the permission is checked: one outside the stores the
        signed-in person holds does not exist, and their own stores are not theirs to set."""
        person = self.get_object()
        refuse_own_stores(user=person, actor=self.request.user)
        return person

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def get_initial(self):
        return {"stores": list(stores_held_by(self.object))}

    def form_valid(self, form):
        person = self.object
        # Closed stores are not offered, and stay held until an admin takes them away.
        closed = {store for store in stores_held_by(person) if not store.is_active}
        staff_stores_set(
            user=person, stores={*form.cleaned_data["stores"], *closed}, actor=self.request.user
        )
        held = ", ".join(store.code for store in stores_held_by(person)) or "no store"
        messages.success(self.request, f"{person.get_full_name() or person} holds {held}.")
        return redirect("staff:list")

    def get_context_data(self, **kwargs):
        name = self.object.get_full_name() or self.object.get_username()
        return super().get_context_data(
            heading=f"Stores held by {name}",
            breadcrumbs=[("Staff", reverse("staff:list"))],
            cancel_url=reverse("staff:list"),
            **kwargs,
        )
