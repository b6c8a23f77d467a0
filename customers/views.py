from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from .filters import CustomerFilterSet
from .forms import CustomerForms
from .models import Customer
from .services import ConcurrentEditError, customer_save


class CustomerListView(PermissionRequiredMixin, FilterView):
    permission_required = "customers.view_customer"
    filterset_class = CustomerFilterSet
    template_name = "customers/customer_list.html"
    context_object_name = "customers"
    paginate_by = 50

    def get_queryset(self):
        return Customer.objects.select_related("loyalty_account").prefetch_related("stores")


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
