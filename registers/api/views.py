"""The registers' API: finding, creating and changing customers, and recording sales.
Each register acts for its own store: phone numbers are read in its store's country."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, views
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from backoffice.paging import narrowed_if_few
from customers.filters import ALL_STORES, CustomerFilterSet, search_words
from customers.models import ConsentSource, Customer
from customers.scope import in_held_store
from customers.services import (
    ConcurrentEditError,
    EmailTaken,
    customer_add_to_store,
    customer_save,
)
from sales.models import Sale
from sales.services import ReceiptReused, SaleRefused, record_sale
from stores.models import Store

from .errors import error_response, field_errors
from .forms import DUPLICATE_EMAIL, FORM_FIELDS, api_errors, customer_form
from .idempotency import fingerprint, once_per_key
from .serializers import (
    AddToStoreSerializer,
    CustomerFoundSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
    SaleReadSerializer,
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

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self.sort_field = queryset.model._meta.get_field(self.ordering[0].lstrip("-"))
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """A cursor is this API's own: one whose position is not a value of the sort's
        field (a made-up time), or holds a NUL (which PostgreSQL cannot compare), is not
        one, as any other made-up cursor."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                self.sort_field.to_python(cursor.position)
            except DjangoValidationError:
                raise NotFound(self.invalid_cursor_message) from None
            if "\x00" in cursor.position:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_page_size(self, request):
        """A page size that is not a whole number from 1 to 100 is refused, not ignored."""
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        if not (asked.isascii() and asked.isdigit() and 1 <= int(asked) <= self.max_page_size):
            raise ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(asked)


class CustomerSearchView(generics.ListAPIView):
    """Customers the customer list's search finds for ``q``: a whole email, phone number
    (read in the register's store's country), card code, customer number or ID number
    names that customer alone; other words find names, companies and emails. A POST
    creates a customer."""

    serializer_class = CustomerFoundSerializer
    pagination_class = ByNamePages

    @extend_schema(
        request=CustomerWriteSerializer,
        responses={201: CustomerSerializer, 200: CustomerSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER,
                description="A retried create with the same key gets the first answer.",
            )
        ],
    )  # fmt: skip
    def post(self, request):
        """Create a customer by the customer form's own rules, the register's store among
        their stores."""
        return once_per_key(request, lambda: create_customer(request))

    @extend_schema(parameters=[OpenApiParameter("q", str, description="What the cashier typed.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        """An exact key (a whole email, phone number, card code or ID number) finds the
        customers it names alone, in any store; customer numbers, names and parts of keys
        find the register's store's customers only."""
        query = self.request.query_params.get("q", "")
        store = self.request.auth.store

        def search(in_stores):
            return CustomerFilterSet(
                {"q": query, "store": in_stores},
                queryset=Customer.objects.all(),
                current_store=store,
            )

        chain = search(ALL_STORES)
        if not query.strip() or not chain.is_valid():
            return Customer.objects.none()
        exact = chain.exact_match(" ".join(search_words(query)))
        if exact is not None and Customer.objects.filter(exact).exists():
            # Those customers alone: the chain's search would also find every customer of
            # any store holding the key's text (digits of an ID number in a phone).
            found = Customer.objects.filter(exact)
        else:
            in_store = search(store.code)
            if not in_store.is_valid():
                return Customer.objects.none()
            found = in_store.qs
        return (
            narrowed_if_few(found)
            .annotate(in_store=in_held_store(self.request.auth))
            .prefetch_related(
                Prefetch("stores", queryset=Store.objects.only("code").order_by("code"))
            )
        )


CUSTOMER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The customer's id.")


def customer_in(queryset, pk):
    """The customer of ``queryset`` whose id ``pk`` is, written in ASCII digits: Python
    reads "\u0663" (an Arabic-Indic three) as 3, and a till's id is never written so."""
    if not (pk.isascii() and pk.isdigit()):
        raise Http404("No customer has this id.")
    return get_object_or_404(queryset, pk=int(pk))


def customer_details():
    """Customers with every balance a sale may use, read in four queries."""
    return Customer.objects.select_related("loyalty_account", "loyalty_card").prefetch_related(
        Prefetch("stores", queryset=Store.objects.only("code").order_by("code")), "house_accounts"
    )


class CustomerDetailView(generics.RetrieveAPIView):
    """A customer of the register's store with every balance a sale may use, and the
    ``version`` to send back with a change (PATCH): a change made from a version someone
    has saved over since is a 409 with the current values. Another store's customer is a
    404, as one that does not exist: the register adds them to its store first."""

    serializer_class = CustomerSerializer

    def get_object(self):
        return customer_in(customer_details().for_actor(self.request.auth), self.kwargs["pk"])

    @extend_schema(parameters=[CUSTOMER_ID])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CustomerWriteSerializer, responses={200: CustomerSerializer},
        parameters=[CUSTOMER_ID],
    )  # fmt: skip
    def patch(self, request, pk):
        customer = self.get_object()
        if not isinstance(request.data, dict):
            return error_response(400, "not_an_object", "Send the changes as a JSON object.")
        version = request.data.get("version")
        if type(version) is not int:  # noqa: E721 - a JSON true is not a version
            return field_errors(
                {"version": [("required", "Send the version of the customer as it was read.")]}
            )
        return save_customer(request, customer, expected_version=version, done=status.HTTP_200_OK)


class AddToStoreView(views.APIView):
    """Add another store's customer to the register's store, by the exact key the
    register found them by (a whole email, phone number, card code or ID number): the
    answer is the whole customer, now one of the store's. A key that does not name them
    is a 404, as a customer that does not exist."""

    @extend_schema(request=AddToStoreSerializer, responses={200: CustomerSerializer},
                   parameters=[CUSTOMER_ID])  # fmt: skip
    def post(self, request, pk):
        incoming = AddToStoreSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        customer = customer_in(Customer.objects.only("pk"), pk)
        customer_add_to_store(
            customer=customer, store=request.auth.store, actor=request.auth,
            key=incoming.validated_data["key"],
        )  # fmt: skip
        current = customer_details().get(pk=customer.pk)
        return Response(CustomerSerializer(current, context={"request": request}).data)


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
            return field_errors({refusal.part: [(refusal.code, str(refusal))]})
        except ReceiptReused as conflict:
            return field_errors({"id": [("receipt_reused", str(conflict))]}, status=409)
        return Response(
            SaleResultSerializer(sale).data,
            status=status.HTTP_201_CREATED if recorded_now else status.HTTP_200_OK,
        )


class ByTimePages(ByNamePages):
    """A customer's sales, newest first, a page at a time."""

    ordering = ("-occurred_at", "-id")


def sales_read():
    return Sale.objects.select_related("store", "register", "refund_for")


class SaleDetailView(generics.RetrieveAPIView):
    """Did my sale land? The sale of this receipt id: the register's own, else the one of
    its store's registers that has it. Another store's sale is a 404."""

    serializer_class = SaleReadSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "receipt", {"type": "string", "minLength": 1, "maxLength": 64},
                OpenApiParameter.PATH, description="The register's receipt id.",
            )
        ]
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        receipt = self.kwargs["receipt"]
        if len(receipt) > 64 or "\x00" in receipt:  # no receipt id is
            raise Http404(f"No sale of this store has the receipt {receipt[:64]!r}.")
        store_sales = sales_read().for_actor(self.request.auth).filter(receipt_id=receipt)
        own = store_sales.filter(register=self.request.auth).first()
        if own is not None:
            return own
        found = list(store_sales[:2])
        if len(found) != 1:
            raise Http404(f"No sale of this store has the receipt {receipt}.")
        return found[0]


class CustomerSalesView(generics.ListAPIView):
    """A customer's sales at the register's store, newest first (the customer must be
    one of the store's: another store's is a 404)."""

    serializer_class = SaleReadSerializer
    pagination_class = ByTimePages

    @extend_schema(parameters=[CUSTOMER_ID])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        customer = customer_in(Customer.objects.for_actor(self.request.auth), self.kwargs["pk"])
        return sales_read().for_actor(self.request.auth).filter(customer=customer)


def create_customer(request):
    return save_customer(request, None, expected_version=None, done=status.HTTP_201_CREATED)


def save_customer(request, customer, *, expected_version, done):
    """Check ``request.data`` by the customer form and save it. A field's message is the
    form's; the serializer's where the form has none (a value of the wrong JSON type, the
    stores)."""
    register = request.auth
    if not isinstance(request.data, dict):
        return error_response(400, "not_an_object", "Send the customer as a JSON object.")
    incoming = CustomerWriteSerializer(data=request.data, partial=customer is not None)
    incoming.is_valid()
    data = {name: value for name, value in request.data.items() if name in FORM_FIELDS}
    form = customer_form(data, register=register, customer=customer)
    errors = {} if form.is_valid() else api_errors(form)
    for name, messages in incoming.errors.items():
        errors.setdefault(name, list(coded(messages)))
    codes = request.data.get("stores") if "stores" not in errors else None
    stores = stores_named(codes, register) if codes is not None else None
    if codes is not None and stores is None:
        errors["stores"] = [("unknown_store", f"No store has one of the codes {', '.join(codes)}.")]
    if errors:
        return field_errors(errors)
    if stores is None:
        stores = list(customer.stores.all()) if customer else [register.store]
    try:
        saved = customer_save(
            customer=form.save(commit=False), stores=stores, actor=register,
            expected_version=expected_version, consent_source=ConsentSource.REGISTER,
        )  # fmt: skip
    except EmailTaken:
        return field_errors({"email": [("duplicate_email", DUPLICATE_EMAIL)]})
    except ConcurrentEditError:
        current = customer_details().get(pk=customer.pk)
        conflict = field_errors(
            {"version": [("edit_conflict", "Someone saved this customer since it was read: "
                          "these are the current values.")]},
            status=409,
        )  # fmt: skip
        conflict.data["current"] = CustomerSerializer(current, context={"request": request}).data
        return conflict
    saved = customer_details().get(pk=saved.pk)
    return Response(CustomerSerializer(saved, context={"request": request}).data, status=done)


def coded(messages):
    """(code, message) of each of a serializer field's errors; a list field's are by item."""
    if isinstance(messages, dict):
        messages = [message for found in messages.values() for message in found]
    for message in messages:
        yield getattr(message, "code", "invalid"), str(message)


def stores_named(codes, register):
    """The stores of ``codes`` and the register's own; None when a code names none."""
    found = list(Store.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        return None
    return list({store.pk: store for store in [register.store, *found]}.values())
