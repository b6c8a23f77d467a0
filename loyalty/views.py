from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, UpdateView

from backoffice.views import ObjectFormMixin, ObjectListView
from customers import scope
from customers.models import Customer

from . import cards
from .forms import AdjustmentForm, CardAssignForm, CardBatchForm, SheetForm
from .models import EarnRule, LoyaltyAccount, LoyaltyCard, LoyaltyCardBatch, LoyaltyLedgerEntry
from .services import CardError, LoyaltyError, card_assign, card_batch_generate, loyalty_adjust
from .tables import CardBatchTable, LedgerTable

# Codes on one printable sheet or PDF: a bigger batch is printed a part at a time. 1,000
# codes were 5.8 s and 8.6 MB of page (4 s of PDF); 210 fill whole pages of every label
# size (7 of Avery 5160, 10 of L7160, 21 of 5371), so no part leaves a sheet half used.
SHEET_PART_SIZE = 210


class CustomerLoyaltyMixin:
    """A view about one live customer's loyalty (``customer_pk`` in the URL)."""

    @cached_property
    def customer(self):
        customers = Customer.objects.select_related("loyalty_account", "loyalty_card")
        return get_object_or_404(
            scope.restrict(customers, self.request.user), pk=self.kwargs["customer_pk"]
        )

    @property
    def account(self):
        return getattr(self.customer, "loyalty_account", None)

    def get_breadcrumbs(self):
        return [
            ("Customers", reverse("customers:list")),
            (str(self.customer), self.customer.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("breadcrumbs", self.get_breadcrumbs())
        kwargs.setdefault("cancel_url", self.customer.get_absolute_url())
        return super().get_context_data(customer=self.customer, account=self.account, **kwargs)


class AdjustmentView(PermissionRequiredMixin, CustomerLoyaltyMixin, FormView):
    """Add or take off points, with a reason: "Edit Customer's Current Loyalty Point
    Balance" of the seed system, as a change rather than a new total, so that two people
    adjusting at once both count."""

    permission_required = "loyalty.change_loyaltyaccount"
    template_name = "loyalty/adjustment_form.html"
    form_class = AdjustmentForm
    extra_context = {
        "heading": "Adjust loyalty points",
        "submit_label": "Save adjustment",
        "form_id": "adjustment-form",
    }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "account": self.account or LoyaltyAccount()}

    def form_valid(self, form):
        if self.account is None or not self.account.enrolled:
            form.add_error(
                None, "This customer is not enrolled: enrol them on the Edit page first."
            )
            return self.form_invalid(form)
        try:
            entry = loyalty_adjust(
                account=self.account, actor=self.request.user, **form.cleaned_data
            )
        except LoyaltyError as refusal:
            form.add_error("delta", str(refusal))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{entry.delta:+d} points ({entry.get_reason_display()}) for {self.customer}: "
            f"the balance is now {entry.balance_after}.",
        )
        return redirect(self.customer)


class LedgerListView(CustomerLoyaltyMixin, ObjectListView):
    """A customer's whole loyalty history, a page at a time (their page shows the latest)."""

    permission_required = "loyalty.view_loyaltyledgerentry"
    table_class = LedgerTable
    context_object_name = "entries"

    def get_queryset(self):
        return LoyaltyLedgerEntry.objects.filter(account__customer=self.customer).select_related(
            "created_by"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Loyalty history of {self.customer}", **kwargs)


class CardAssignView(PermissionRequiredMixin, CustomerLoyaltyMixin, FormView):
    """Give a customer a loyalty card by typing or scanning its code."""

    permission_required = "loyalty.change_loyaltycard"
    template_name = "loyalty/card_form.html"
    form_class = CardAssignForm
    extra_context = {
        "heading": "Loyalty card",
        "submit_label": "Assign card",
        "form_id": "card-form",
    }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def form_valid(self, form):
        try:
            card = card_assign(
                customer=self.customer, code=form.cleaned_data["code"], actor=self.request.user
            )
        except CardError as refusal:
            form.add_error("code", str(refusal))
            return self.form_invalid(form)
        messages.success(self.request, f"Loyalty card {card.code} now belongs to {self.customer}.")
        return redirect(self.customer)


class CardBatchListView(ObjectListView):
    """ "Generate and Print Customer Codes on Loyalty Cards": the batches, and how many of
    each were handed out."""

    permission_required = "loyalty.view_loyaltycardbatch"
    template_name = "loyalty/card_batch_list.html"
    table_class = CardBatchTable
    title = "Loyalty cards"
    context_object_name = "batches"

    def get_queryset(self):
        # Counted for the page's rows only, not for every batch, among the cards the
        # person may see: a batch's codes are the ones its sheet prints for them.
        actor = self.request.user
        cards = LoyaltyCard.objects.for_actor(actor).filter(batch=OuterRef("pk")).order_by()

        def counted(cards):
            return cards.values("batch").annotate(count=Count("pk")).values("count")

        return (
            LoyaltyCardBatch.objects.for_actor(actor)
            .select_related("created_by")
            .annotate(
                printable=Subquery(counted(cards)),
                used=Subquery(counted(cards.filter(customer__isnull=False))),
            )
        )


class CardBatchCreateView(PermissionRequiredMixin, FormView):
    permission_required = "loyalty.add_loyaltycardbatch"
    template_name = "loyalty/card_batch_form.html"
    form_class = CardBatchForm
    extra_context = {
        "heading": "Generate loyalty card codes",
        "submit_label": "Generate",
        "form_id": "batch-form",
    }

    def form_valid(self, form):
        batch = card_batch_generate(size=form.cleaned_data["size"], actor=self.request.user)
        messages.success(self.request, f"{batch.size} codes generated: print them below.")
        return redirect("loyalty:sheet", batch.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            breadcrumbs=[("Loyalty cards", reverse("loyalty:batches"))],
            cancel_url=reverse("loyalty:batches"),
            **kwargs,
        )


class CardSheetView(PermissionRequiredMixin, DetailView):
    """A batch's codes laid out on labels of the chosen size, to print from the browser;
    ``part`` picks the SHEET_PART_SIZE codes of a bigger batch."""

    permission_required = "loyalty.view_loyaltycardbatch"
    context_object_name = "batch"
    template_name = "loyalty/card_sheet.html"

    def get_queryset(self):
        return LoyaltyCardBatch.objects.for_actor(self.request.user)

    @cached_property
    def cards(self):
        """The batch's cards the person may print: none handed out to a customer they may
        not see, whose code would find that customer."""
        cards = LoyaltyCard.objects.for_actor(self.request.user).filter(batch=self.object)
        return cards.order_by("pk")

    @cached_property
    def printable(self):
        return self.cards.count()

    @cached_property
    def label_size(self):
        form = SheetForm(self.request.GET)
        key = (
            form.cleaned_data["label"]
            if form.is_valid()
            else SheetForm.base_fields["label"].initial
        )
        return key, cards.LABEL_SIZES[key]

    @cached_property
    def part(self):
        parts = max(1, -(-self.printable // SHEET_PART_SIZE))
        number = self.request.GET.get("part", "1")
        number = int(number) if number.isascii() and number.isdigit() and len(number) < 7 else 1
        return min(max(number, 1), parts), parts

    def codes(self):
        number, _ = self.part
        start = (number - 1) * SHEET_PART_SIZE
        codes = self.cards.values_list("code", flat=True)
        return list(codes[start : start + SHEET_PART_SIZE])

    def part_ranges(self, parts):
        """(part number, its first code's number, its last's) for the links to each part."""
        return [
            (n, (n - 1) * SHEET_PART_SIZE + 1, min(n * SHEET_PART_SIZE, self.printable))
            for n in range(1, parts + 1)
        ]

    def get_context_data(self, **kwargs):
        key, size = self.label_size
        number, parts = self.part
        sheet = [
            [
                {"left": left, "top": top, "code": code, "shown": cards.shown_code(code),
                 "barcode": cards.barcode_svg(code, size)}
                for left, top, code in page
            ]
            for page in cards.pages(self.codes(), size)
        ]  # fmt: skip
        layout = cards.layout_for(size)
        heading, heading_size = cards.label_heading(settings.CHAIN_NAME, layout)
        return super().get_context_data(
            sheet=sheet,
            size=size,
            layout=layout,
            chain_name=settings.CHAIN_NAME,
            label_heading=heading,
            label_heading_size=heading_size,
            breadcrumbs=[("Loyalty cards", reverse("loyalty:batches"))],
            label_form=SheetForm(initial={"label": key}),
            label=key,
            part=number,
            parts=self.part_ranges(parts) if parts > 1 else None,
            printable=self.printable,
            left_out=self.object.size - self.printable,
            **kwargs,
        )


class CardSheetPdfView(CardSheetView):
    """The same sheet as a PDF, which prints at exact size."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        key, size = self.label_size
        number, parts = self.part
        suffix = f"-part{number}" if parts > 1 else ""
        pdf = cards.sheet_pdf(self.codes(), size, chain_name=settings.CHAIN_NAME)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="loyalty-cards-batch{self.object.pk}{suffix}-{key}.pdf"'
        )
        return response


class EarnRuleView(PermissionRequiredMixin, ObjectFormMixin, UpdateView):
    """Loyalty settings: how many points a sale at the tills earns."""

    permission_required = "loyalty.change_earnrule"
    model = EarnRule
    fields = ["points_per_unit", "point_value", "earn_on_points_paid"]
    list_url_name = "loyalty:settings"
    breadcrumbs = [("Loyalty cards", "loyalty:batches")]

    heading = "Loyalty settings: the points a sale earns"

    def get_object(self, queryset=None):
        return EarnRule.current()
