import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView
from django.views.generic.detail import SingleObjectMixin

from customers import scope
from customers.models import Customer
from customers.scope import CustomersInScopeMixin

from .data_request import filename_of
from .forms import EraseForm
from .services import ErasureRefused, customer_data_request, customer_erase, money_held


class CustomerDataRequestView(
    PermissionRequiredMixin, CustomersInScopeMixin, SingleObjectMixin, View
):
    """A data request: everything held on the customer (deleted ones too), as a zip."""

    permission_required = "customers.export_customer_data"
    queryset = Customer.all_objects.all()

    def get(self, request, pk):
        customer = self.get_object()
        scratch = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
        customer_data_request(customer=customer, actor=request.user, out=scratch)
        scratch.seek(0)
        return FileResponse(
            scratch,
            as_attachment=True,
            filename=filename_of(customer),
            content_type="application/zip",
        )


class CustomerEraseView(PermissionRequiredMixin, FormView):
    """Erase a customer's personal data for good, once their name is typed to confirm."""

    permission_required = "customers.erase_customer"
    form_class = EraseForm
    template_name = "privacy/erase_confirm.html"

    @cached_property
    def customer(self):
        customers = scope.restrict(Customer.all_objects.all(), self.request.user)
        return get_object_or_404(customers, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def form_valid(self, form):
        try:
            erased = customer_erase(customer=self.customer, actor=self.request.user)
        except ErasureRefused as refusal:
            form.add_error(None, str(refusal))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The customer's personal data was erased: they are now “{erased}”. Their "
            "balances, sales and totals are kept.",
        )
        return redirect(erased if erased.deleted_at is None else "customers:deleted")

    def get_context_data(self, **kwargs):
        customer = self.customer
        return super().get_context_data(
            customer=customer,
            heading=f"Erase {customer}?",
            money_held=money_held(customer, lock=False),
            submit_label="Erase for good",
            form_id="erase-form",
            cancel_url=customer.get_absolute_url(),
            breadcrumbs=[
                ("Customers", reverse("customers:list")),
                (str(customer), customer.get_absolute_url()),
            ],
            **kwargs,
        )
