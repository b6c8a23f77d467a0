"""Recording a sale from a register: exactly once, all or nothing.

A sale's points (redeemed, then earned), its house account charge and its membership
charge are posted through each ledger's own service, in one transaction with the sale, the
customer's visits and the store's day: if any part is refused, nothing is written. The
customer's row is locked first, so that a customer's sales (and a sale sent twice at once)
are recorded one after the other; the same receipt sent again finds the first sale.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from backoffice import audit, bulk
from backoffice.money import format_money
from customers.models import Customer
from customers.scope import in_held_store
from house_accounts.models import HouseAccountEntry
from house_accounts.services import HouseAccountError, house_account_post
from loyalty.models import EarnRule, LoyaltyAccount, Reason
from loyalty.services import LoyaltyError, loyalty_adjust
from memberships.services import (
    MembershipError,
    active_membership_of,
    membership_charge,
    membership_refund,
)
from stores.actors import OutOfScope

from .models import Sale, StoreDay


class SaleRefused(Exception):
    """A part of the sale cannot be recorded: ``part`` names the field, the message why."""

    def __init__(self, part, message):
        super().__init__(message)
        self.part = part


class ReceiptReused(Exception):
    """The register sent another sale under a receipt id it already used."""

    def __init__(self, sale):
        super().__init__(
            f"The receipt {sale.receipt_id} was recorded with other values: a receipt id is "
            "used for one sale only."
        )
        self.sale = sale


class Recorded(Exception):
    """The receipt was recorded before (found under the customer's lock)."""

    def __init__(self, sale):
        self.sale = sale


def record_sale(*, register, sale, fingerprint):
    """Record ``sale`` (the API's validated fields: ``id``, ``customer``, ``total``,
    ``occurred_at`` and the optional parts) as ``register``'s. Returns (the sale, whether
    it was recorded now): a receipt sent before with the same ``fingerprint`` returns the
    first sale, with another raises ``ReceiptReused``."""
    try:
        return write_sale(register=register, sale=sale, fingerprint=fingerprint), True
    except Recorded as before:
        first = before.sale
    except IntegrityError:
        # The same receipt, sent twice at once by a till that retried: the other one won.
        first = Sale.objects.filter(register=register, receipt_id=sale["id"]).first()
        if first is None:
            raise
    if first.fingerprint != fingerprint:
        raise ReceiptReused(first)
    return first, False


@transaction.atomic
def write_sale(*, register, sale, fingerprint):
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .annotate(in_store=in_held_store(register))
        .get(pk=sale["customer"].pk)
    )
    if first := Sale.objects.filter(register=register, receipt_id=sale["id"]).first():
        raise Recorded(first)
    if not customer.in_store:
        # Before anything is written: the register adds them to its store first.
        raise OutOfScope(f"No customer of this store has the id {customer.pk}.")
    actor = register
    original = original_sale(register, customer, sale) if sale.get("refund_for") else None
    loyalty = LoyaltyAccount.objects.filter(customer=customer).first()
    points = post_points(loyalty, sale, original, actor)
    house_account = post_house_account(customer, register, sale, original, actor)
    membership = post_membership(customer, register, sale, original, actor)
    recorded = Sale.objects.create(
        register=register,
        receipt_id=sale["id"],
        store=register.store,
        customer=customer,
        total=sale["total"],
        occurred_at=sale["occurred_at"],
        points_earned=points["earned"],
        points_redeemed=points["redeemed"],
        house_account=house_account,
        house_account_amount=sale.get("house_account_amount"),
        membership=membership,
        membership_amount=sale.get("membership_amount"),
        refund_for=original,
        fingerprint=fingerprint,
        result=balances_after(customer, loyalty, house_account, membership),
    )
    count_visit(customer, recorded)
    audit.record(
        user=actor,
        action=audit.Action.CREATE,
        obj=recorded,
        summary=f"{recorded} of {format_money(recorded.total)} at {register.store}",
        customer=customer,
    )
    return recorded


def original_sale(register, customer, sale):
    """The sale a refund returns: the register's own receipt, else the store's."""
    receipt = sale["refund_for"]
    own = Sale.objects.filter(register=register, receipt_id=receipt, refund_for=None).first()
    if own is None:
        found = list(
            Sale.objects.filter(store=register.store, receipt_id=receipt, refund_for=None)[:2]
        )
        if len(found) != 1:
            raise SaleRefused("refund_for", f"No sale of this store has the receipt {receipt}.")
        own = found[0]
    if own.customer_id != customer.pk:
        raise SaleRefused("refund_for", f"The receipt {receipt} is another customer's sale.")
    refunded = own.refunds.aggregate(total=Coalesce(Sum("total"), Decimal(0)))["total"]
    left = own.total + refunded
    if -sale["total"] > left:
        raise SaleRefused(
            "total",
            f"At most {format_money(left)} of the receipt {receipt} is left to refund "
            f"(it was {format_money(own.total)}).",
        )
    return own


def post_points(account, sale, original, actor):
    """{"earned": n, "redeemed": n}, posted to the customer's loyalty ``account`` (None
    when they have none). A refund takes back the points its sale earned and gives back
    those it redeemed, in proportion to the amount refunded; the last refund of a sale
    takes back what is left."""
    enrolled = account is not None and account.enrolled
    receipt = f"receipt {sale['id']}"
    if original is None:
        redeemed = sale.get("points_redeemed") or 0
        if redeemed:
            if not enrolled:
                raise SaleRefused(
                    "points_redeemed", "This customer is not in the loyalty programme."
                )
            adjust(account, -redeemed, Reason.REDEMPTION, receipt, actor, part="points_redeemed")
        earned = EarnRule.current().points_for(sale["total"], redeemed) if enrolled else 0
        if earned:
            adjust(account, earned, Reason.PURCHASE, receipt, actor, part="total")
        return {"earned": earned, "redeemed": redeemed}
    if not enrolled:  # out of the programme since: no points move
        return {"earned": 0, "redeemed": 0}
    earned = -min(returned(original, "points_earned", sale["total"]), account.balance)
    redeemed = -returned(original, "points_redeemed", sale["total"])
    if earned:  # points spent since stay spent: what is left of them is taken back
        adjust(account, earned, Reason.RETURN, f"{receipt}, taken back", actor, part="total")
    if redeemed:
        adjust(account, -redeemed, Reason.RETURN, f"{receipt}, given back", actor, part="total")
    return {"earned": earned, "redeemed": redeemed}


def returned(original, field, refund_total):
    """The points (``field``) of the original sale that a refund of ``refund_total`` (a
    negative amount) returns: in proportion to the amount, rounded down; the refund that
    completes the sale's return takes what is left."""
    before = original.refunds.aggregate(total=Sum("total"), points=Sum(field))
    left = getattr(original, field) + (before["points"] or 0)
    refunded = -(before["total"] or 0) - refund_total
    if refunded >= original.total:
        return left
    return min(int(getattr(original, field) * -refund_total / original.total), left)


def adjust(account, delta, reason, note, actor, *, part):
    try:
        loyalty_adjust(account=account, delta=delta, reason=reason, note=note, actor=actor)
    except LoyaltyError as refusal:
        raise SaleRefused(part, str(refusal)) from None


def post_house_account(customer, register, sale, original, actor):
    number, amount = sale.get("house_account"), sale.get("house_account_amount")
    if not number:
        return None
    account = customer.house_accounts.filter(account_number=number).first()
    if account is None:
        raise SaleRefused("house_account", f"The customer has no house account {number}.")
    kind = HouseAccountEntry.Kind.REFUND if original else HouseAccountEntry.Kind.CHARGE
    try:
        house_account_post(
            account=account, kind=kind, amount=amount, store=register.store,
            reference=sale["id"], note="", actor=actor,
        )  # fmt: skip
    except HouseAccountError as refusal:
        raise SaleRefused("house_account_amount", str(refusal)) from None
    return account


def post_membership(customer, register, sale, original, actor):
    amount = sale.get("membership_amount")
    if not amount:
        return None
    account = active_membership_of(customer)
    if account is None:
        raise SaleRefused("membership_amount", "This customer has no active membership.")
    post = membership_refund if original else membership_charge
    try:
        post(
            account=account, amount=amount, store=register.store,
            note=f"receipt {sale['id']}", actor=actor,
        )  # fmt: skip
    except MembershipError as refusal:
        raise SaleRefused("membership_amount", str(refusal)) from None
    return account


def balances_after(customer, loyalty, house_account, membership):
    """What the register is told: every balance the sale moved, after it (``loyalty``
    holds its balance after the postings)."""
    membership = membership or active_membership_of(customer)
    return {
        "loyalty_balance": loyalty.balance if loyalty else 0,
        "house_account_balance": str(house_account.balance) if house_account else None,
        "membership_balance": str(membership.balance) if membership else None,
    }


def count_visit(customer, sale):
    """The customer's visits and the store's day, moved by this sale."""
    day = timezone.localdate(sale.occurred_at)
    refund = sale.refund_for_id is not None
    first_ever = customer.first_sale_at is None
    first_today = customer.last_sale_at is None or timezone.localdate(customer.last_sale_at) != day
    Customer.all_objects.filter(pk=customer.pk).update(
        first_sale_at=min(filter(None, [customer.first_sale_at, sale.occurred_at])),
        last_sale_at=max(filter(None, [customer.last_sale_at, sale.occurred_at])),
        sale_count=F("sale_count") + (0 if refund else 1),
        total_spent=F("total_spent") + sale.total,
        lifetime_points=F("lifetime_points") + sale.points_earned,
    )
    bulk.add_to(
        StoreDay,
        [
            {"store_id": sale.store_id, "day": day, "sales": 0 if refund else 1,
             "refunds": 1 if refund else 0, "visits": 1 if first_today and not refund else 0,
             "new_customers": 1 if first_ever and not refund else 0, "total": sale.total,
             "points_earned": sale.points_earned, "points_redeemed": sale.points_redeemed}
        ],
        unique=["store", "day"],
    )  # fmt: skip
