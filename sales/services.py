"""Recording a sale from a register: exactly once, all or nothing.

A sale's points (redeemed, then earned), its house account charge and its membership
charge are posted through each ledger's own service, in one transaction with the sale, the
customer's visits and the store's day: if any part is refused, nothing is written. The
customer's row is locked first, so that a customer's sales (and a sale sent twice at once)
are recorded one after the other; the same receipt sent again finds the first sale.
"""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from backoffice import audit, bulk
from backoffice.money import CENT, ZERO, cents, format_money
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

# Square's limit: a sale is refunded at most this many times.
MAX_REFUNDS = 20
SALE_FUTURE_LEEWAY = datetime.timedelta(minutes=10)


class SaleRefused(Exception):
    """A part of the sale cannot be recorded: ``part`` names the field, the message why,
    ``code`` the kind of refusal for a machine."""

    def __init__(self, part, message, code="refused"):
        super().__init__(message)
        self.part = part
        self.code = code


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
    """Record ``sale`` (the API's validated fields: ``id``, ``customer`` (a customer or
    their id: another store's, or none, is ``OutOfScope``), ``total``,
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
    customer_id = getattr(sale["customer"], "pk", sale["customer"])
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .annotate(in_store=in_held_store(register))
        .filter(pk=customer_id)
        .first()
    )
    if first := Sale.objects.filter(register=register, receipt_id=sale["id"]).first():
        raise Recorded(first)
    if customer is None or not customer.in_store:
        # Before anything is written: the register adds them to its store first.
        raise OutOfScope(f"No customer of this store has the id {customer_id}.")
    refuse_out_of_bounds(sale)
    original = original_sale(register, customer, sale) if sale.get("refund_for") else None
    loyalty = LoyaltyAccount.objects.select_for_update().filter(customer=customer).first()
    points = post_points(loyalty, sale, original, register)
    parts = tender_parts(sale, original, points["redeemed"])
    house_account = post_house_account(customer, register, sale, original, parts)
    membership = post_membership(customer, register, sale, original, parts)
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
        membership=membership,
        refund_for=original,
        fingerprint=fingerprint,
        result=balances_after(customer, loyalty, house_account, membership),
        **parts,
    )
    count_visit(customer, recorded)
    audit.record(
        user=register,
        action=audit.Action.CREATE,
        obj=recorded,
        summary=f"{recorded} of {format_money(recorded.total)} at {register.store}",
        customer=customer,
    )
    return recorded


def refuse_out_of_bounds(sale):
    """A total beyond ``SALE_MAX_TOTAL`` either way, and a time more than
    ``SALE_FUTURE_LEEWAY`` ahead (a till's clock may run a little fast) or older than
    ``SALE_MAX_AGE_DAYS``, are mistakes: a sale dated 2030 would be the customer's last
    visit until then, and a total of billions would overflow the day's sums."""
    if abs(sale["total"]) > settings.SALE_MAX_TOTAL:
        raise SaleRefused(
            "total", f"A sale's total is at most {format_money(settings.SALE_MAX_TOTAL)}."
        )
    now = timezone.now()
    if sale["occurred_at"] > now + SALE_FUTURE_LEEWAY:
        raise SaleRefused("occurred_at", "This time is in the future: check the register's clock.")
    if sale["occurred_at"] < now - datetime.timedelta(days=settings.SALE_MAX_AGE_DAYS):
        raise SaleRefused(
            "occurred_at",
            f"A sale older than {settings.SALE_MAX_AGE_DAYS} days is not taken: record it "
            "in the back office.",
        )


def original_sale(register, customer, sale):
    """The sale a refund returns: the register's own receipt, else the store's. At most
    ``MAX_REFUNDS`` refunds a sale, none of more than is left of it."""
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
    own.refunded = own.refunds.aggregate(
        count=Count("pk"),
        **{
            part: Coalesce(Sum(part), Decimal(0))
            for part in ["total", *AMOUNT_PARTS, "other_amount"]
        },
    )
    if own.refunded["count"] >= MAX_REFUNDS:
        raise SaleRefused(
            "refund_for", f"The receipt {receipt} has had {MAX_REFUNDS} refunds, the most."
        )
    left = own.total + own.refunded["total"]
    if -sale["total"] > left:
        raise SaleRefused(
            "total",
            f"At most {format_money(left)} of the receipt {receipt} is left to refund "
            f"(it was {format_money(own.total)}).",
        )
    return own


# A sale's parts paid in money other than cash or card, as stored on the sale.
AMOUNT_PARTS = ["points_value", "house_account_amount", "membership_amount"]
# The parts a refund shares out in proportion; the points follow the points given back.
SHARED_PARTS = ["house_account_amount", "membership_amount", "other_amount"]
# The parts that name an account: none (null) when a sale has no such part.
ACCOUNT_PARTS = {"house_account_amount", "membership_amount"}


def tender_parts(sale, original, points_redeemed):
    """The sale's parts, each with the sign of its total: what the points redeemed paid,
    the house account and membership parts, and the rest (cash, card), which is never
    negative. A refund gives back at most what is left of each part of its sale, cash and
    card included: the parts it names (and the rest in cash or card), else every part in
    proportion (``shared_out``)."""
    if original is None:
        paid = {
            "points_value": cents(points_redeemed * EarnRule.current().point_value),
            "house_account_amount": sale.get("house_account_amount"),
            "membership_amount": sale.get("membership_amount"),
        }
        return with_the_rest(paid, sale["total"], over="The points, house account and "
                             "membership parts come to more than the sale's total.")  # fmt: skip
    left = {part: left_of(original, part) for part in [*AMOUNT_PARTS, "other_amount"]}
    refunded = -sale["total"]
    points = points_value_back(original, points_redeemed, left["points_value"])
    named = {part: sale[part] for part in ACCOUNT_PARTS if part in sale}
    for part, amount in named.items():
        if amount > left[part]:
            raise SaleRefused(
                part, f"At most {format_money(left[part])} of this part of the receipt "
                f"{original.receipt_id} is left to give back.",
            )  # fmt: skip
    if named:
        back = {part: named.get(part, ZERO) for part in ACCOUNT_PARTS}
        back = with_the_rest(back, refunded - points, over="The parts given back come to "
                             "more than the refund's total.")  # fmt: skip
        if back["other_amount"] > left["other_amount"]:
            raise SaleRefused(
                "total", f"At most {format_money(left['other_amount'])} of the receipt "
                f"{original.receipt_id} is left to give back in cash or card: name the "
                "parts this refund gives back.",
            )  # fmt: skip
    else:
        completes = original.total + original.refunded["total"] == refunded
        back = shared_out(original, refunded - points, left, completes=completes)
    back["points_value"] = points
    return {
        part: -amount if amount else (None if part in ACCOUNT_PARTS else ZERO)
        for part, amount in back.items()
    }


def shared_out(original, amount, left, *, completes):
    """``amount`` shared out among the sale's house account, membership and cash parts in
    proportion to them, to the cent (the cents the rounding leaves go to the parts with
    the largest remainders), none beyond what is left of it. The refund that completes the
    sale's return gives back what is left of each; the value of points that cannot go back
    (the customer left the programme since) goes back in cash or card."""
    if completes:
        back = {part: left[part] for part in SHARED_PARTS}
        back["other_amount"] += amount - sum(back.values())
        return back
    weights = {part: getattr(original, part) or ZERO for part in SHARED_PARTS}
    whole = sum(weights.values())
    exact = {part: amount * weights[part] / whole if whole else ZERO for part in SHARED_PARTS}
    back = {part: min(exact[part].quantize(CENT, ROUND_DOWN), left[part]) for part in SHARED_PARTS}
    unshared = amount - sum(back.values())
    by_remainder = sorted(
        SHARED_PARTS, key=lambda part: (exact[part] - back[part], left[part]), reverse=True
    )
    for part in by_remainder:
        more = min(left[part] - back[part], unshared)
        back[part] += more
        unshared -= more
    if unshared:
        raise SaleRefused(
            "total", f"At most {format_money(amount - unshared)} of the receipt "
            f"{original.receipt_id} is left to give back besides its points.",
        )  # fmt: skip
    return back


def left_of(original, part):
    return (getattr(original, part) or ZERO) + original.refunded[part]


def points_value_back(original, points_given_back, left):
    """What the points a refund gives back had paid, at the sale's own rate."""
    if not original.points_redeemed:
        return ZERO
    return min(cents(original.points_value * -points_given_back / original.points_redeemed), left)


def with_the_rest(parts, total, *, over):
    """``parts`` and ``other_amount``, what they leave of ``total``: refused if negative."""
    other = total - sum(amount or ZERO for amount in parts.values())
    if other < 0:
        raise SaleRefused("total", over)
    return {**parts, "other_amount": other}


def post_points(account, sale, original, actor):
    """{"earned": n, "redeemed": n}, posted to the customer's loyalty ``account`` (None
    when they have none). A refund takes back the points its sale earned and, unless it
    names the parts it gives back, gives back those it redeemed, in proportion to the
    amount refunded; the last refund of a sale takes back what is left."""
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
    # A refund that names the parts it gives back gives back those alone.
    names_parts = "house_account_amount" in sale or "membership_amount" in sale
    redeemed = 0 if names_parts else -returned(original, "points_redeemed", sale["total"])
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


def post_house_account(customer, register, sale, original, parts):
    """The house account part: charged to the account the sale names, or given back to
    the account its sale was charged to."""
    amount = parts["house_account_amount"]
    if not amount:
        return None
    number = sale.get("house_account")
    if original is not None:
        account = original.house_account
        if number and number != account.account_number:
            raise SaleRefused(
                "house_account", f"The receipt {original.receipt_id} was charged to "
                f"{account.account_number}: its refund goes back there.",
            )  # fmt: skip
    else:
        account = customer.house_accounts.filter(account_number=number).first()
        if account is None:
            raise SaleRefused("house_account", f"The customer has no house account {number}.")
    kind = HouseAccountEntry.Kind.REFUND if original else HouseAccountEntry.Kind.CHARGE
    try:
        house_account_post(
            account=account, kind=kind, amount=abs(amount), store=register.store,
            reference=sale["id"], note="", actor=register,
        )  # fmt: skip
    except HouseAccountError as refusal:
        raise SaleRefused("house_account_amount", str(refusal)) from None
    return account


def post_membership(customer, register, sale, original, parts):
    """The membership part: charged to the customer's active membership, or given back
    to the membership its sale was charged to."""
    amount = parts["membership_amount"]
    if not amount:
        return None
    account = original.membership if original is not None else active_membership_of(customer)
    if account is None:
        raise SaleRefused("membership_amount", "This customer has no active membership.")
    post = membership_refund if original else membership_charge
    try:
        post(
            account=account, amount=abs(amount), store=register.store,
            note=f"receipt {sale['id']}", actor=register,
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
    """The customer's visits and the store's day, moved by this sale. A visit is a day of
    the store's clock on which the customer bought there: their first purchase recorded
    for it counts it, in whatever order the sales arrive; a refund is no visit."""
    day = sale.store.day_of(sale.occurred_at)
    refund = sale.refund_for_id is not None
    first_ever = customer.first_sale_at is None
    visit = not refund and not bought_there_that_day(customer, sale, day)
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
             "refunds": 1 if refund else 0, "visits": 1 if visit else 0,
             "new_customers": 1 if first_ever and not refund else 0, "total": sale.total,
             "points_earned": sale.points_earned, "points_redeemed": sale.points_redeemed}
        ],
        unique=["store", "day"],
    )  # fmt: skip


def bought_there_that_day(customer, sale, day):
    """Whether another purchase of the customer at the sale's store falls on ``day``: one
    range of the (customer, occurred_at) index."""
    start, end = sale.store.day_start(day), sale.store.day_start(day + datetime.timedelta(days=1))
    return (
        Sale.objects.filter(
            customer=customer,
            store_id=sale.store_id,
            refund_for=None,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .exclude(pk=sale.pk)
        .exists()
    )
