from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property

from backoffice.views import ObjectListView
from customers import scope
from customers.models import Customer

from .models import Sale
from .tables import SaleTable


class CustomerSalesView(ObjectListView):
    """A customer's sales, newest first, a page at a time (their page shows the latest)."""

    permission_required = "sales.view_sale"
    table_class = SaleTable
    context_object_name = "sales"

    @cached_property
    def customer(self):
        customers = scope.restrict(Customer.objects.all(), self.request.user)
        return get_object_or_404(customers, pk=self.kwargs["customer_pk"])

    def get_queryset(self):
        return Sale.objects.filter(customer=self.customer)

    def get_breadcrumbs(self):
        return [
            ("Customers", reverse("customers:list")),
            (str(self.customer), self.customer.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Sales of {self.customer}", **kwargs)
