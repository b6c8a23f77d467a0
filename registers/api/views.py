"""The registers' API: finding customers and recording sales.
Each register acts for its own store: phone numbers are read in its store's country."""

import hashlib
import json

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, views
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from customers.filters import ALL_STORES, CustomerFilterSet
from customers.models import Customer
from sales.services import ReceiptReused, SaleRefused, record_sale
from stores.models import Store

from .serializers import (
    CustomerSerializer,
    CustomerSummarySerializer,
    SaleResultSerializer,
    SaleSerializer,
)


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


class SaleCreateView(views.APIView):
    """Record a sale, exactly once: the same receipt id with the same body answers 200
    with the first result and changes nothing; with another body, 409. A sale's points,
    house account charge and membership charge are written together or not at all: a
    refused part is a 400 naming it."""

    @extend_schema(
        request=SaleSerializer,
        responses={201: SaleResultSerializer, 200: SaleResultSerializer},
    )
    def post(self, request):
        incoming = SaleSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            sale, recorded_now = record_sale(
                register=request.auth,
                sale=incoming.validated_data,
                fingerprint=fingerprint(incoming.validated_data),
            )
        except SaleRefused as refusal:
            return Response({refusal.part: [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
        except ReceiptReused as conflict:
            return Response({"id": [str(conflict)]}, status=status.HTTP_409_CONFLICT)
        return Response(
            SaleResultSerializer(sale).data,
            status=status.HTTP_201_CREATED if recorded_now else status.HTTP_200_OK,
        )


def fingerprint(sale):
    """The SHA-256 of a sale's validated values: the same sale sent again, however its
    JSON was spaced or ordered, has the same one."""
    values = {
        name: value.pk if isinstance(value, Customer) else str(value)
        for name, value in sale.items()
    }
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()
