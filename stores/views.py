from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from .current import set_current_store
from .forms import StoreChoiceForm


class ChooseStoreView(LoginRequiredMixin, View):
    """Remember the store chosen in the top bar, then go back to the page it was chosen on."""

    def post(self, request):
        form = StoreChoiceForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest("Unknown store.")
        set_current_store(request, form.cleaned_data["store"])
        next_url = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("customers:list")
        return HttpResponseRedirect(next_url)
