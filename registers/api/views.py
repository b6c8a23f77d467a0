"""The registers' API: finding customers (and, next, creating them and recording sales).
Each register acts for its own store: phone numbers are read in its store's country."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.pagination import CursorPagination

from customers.filters import ALL_STORES, CustomerFilterSet
from customers.models import Customer
from stores.models import Store

from .serializers import CustomerSerializer, CustomerSummarySerializer


class ByNamePages(CursorPagination):
    """Results by name, a page at a time, each page after the last one's name: stable
    while customers are added, and as fast on the thousandth page as on the first."""

    ordering = ("sort_name", "first_name", "id")
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"


class CustomerSearchView(generics.ListAPIView):
    """Customers the customer list's search finds for ``q``: a whole email, phone number
    (read in the register's store's country), card code, customer number or ID number
    names that customer alone; other words find names, companies and emails."""

    serializer_class = CustomerSummarySerializer
    pagination_class = ByNamePages

    @extend_schema(parameters=[OpenApiParameter("q", str, description="What the cashier typed.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params.get("q", "")
        search = CustomerFilterSet(
            {"q": query, "store": ALL_STORES},
            queryset=Customer.objects.all(),
            current_store=self.request.auth.store,
        )
        if not query.strip() or not search.is_valid():
            return Customer.objects.none()
        return search.qs.prefetch_related(
            Prefetch("stores", queryset=Store.objects.only("code").order_by("code"))
        )


class CustomerDetailView(generics.RetrieveAPIView):
    """A customer with every balance a sale may use, and the ``version`` to send back with
    a change."""

    serializer_class = CustomerSerializer
    queryset = Customer.objects.select_related("loyalty_account", "loyalty_card").prefetch_related(
        Prefetch("stores", queryset=Store.objects.only("code").order_by("code")), "house_accounts"
    )
