from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import UpdateView

from .current import choose_store
from .forms import StoreChoiceForm, StorePreferenceForm
from .models import StorePreference


class ChooseStoreView(LoginRequiredMixin, View):
    """Remember the store chosen in the top bar, then go back to the page it was chosen on."""

    def post(self, request):
        form = StoreChoiceForm(request.POST)
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
