"""Which stores each staff member holds."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef

from backoffice import audit

from .actors import (
    OutOfScope,
    held_store_ids,
    holds_store,
    is_chain_wide,
    refuse_unless_holds,
)
from .models import StaffStore, Store


def stores_held_by(user):
    return Store.objects.filter(staff__user=user).order_by("code")


def staff_in_scope(actor):
    """The active people ``actor`` may see on the Staff pages: everyone for a chain-wide
    actor, else those who share a store with it (a person holding no store is the
    chain's to place)."""
    people = get_user_model().objects.filter(is_active=True)
    if is_chain_wide(actor):
        return people
    shared = StaffStore.objects.filter(user=OuterRef("pk"), store_id__in=held_store_ids(actor))
    return people.filter(Exists(shared))


def refuse_own_stores(*, user, actor):
    """Nobody but a chain-wide actor changes the stores they hold themselves: a store taken
    away could not be given back by the same person, and a store added would widen the
    very scope that allows it."""
    if user == actor and not is_chain_wide(actor):
        raise PermissionDenied("Only a manager of the whole chain changes the stores you hold.")


@transaction.atomic
def staff_stores_set(*, user, stores, actor):
    """Make ``stores`` the ones ``user`` holds, as far as ``actor`` may say: ``user`` shares
    a store with it (or holds none yet), it grants only stores it holds itself
    (``OutOfScope`` for any other), and the stores ``user`` holds outside the actor's stay
    held. An audit event about the user says which they held
    before and which now. Returns whether anything changed."""
    refuse_own_stores(user=user, actor=actor)
    # The person's row is locked: two changes of their stores apply one after the other.
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    before = set(stores_held_by(user))
    if not is_chain_wide(actor) and before and not any(holds_store(actor, s) for s in before):
        raise OutOfScope("No such person in your stores.")  # as the Staff pages say
    refuse_unless_holds(actor, set(stores) - before)
    out_of_reach = {store for store in before if not holds_store(actor, store)}
    after = set(stores) | out_of_reach
    if before == after:
        return False
    StaffStore.objects.filter(user=user, store__in=before - after).delete()
    StaffStore.objects.bulk_create(StaffStore(user=user, store=store) for store in after - before)

    def codes(held):
        return ", ".join(sorted(store.code for store in held)) or "none"

    audit.record(
        user=actor,
        action=audit.Action.UPDATE,
        obj=user,
        summary=f"Stores held: {codes(after)} (before: {codes(before)})",
        changes={"stores": [sorted(s.code for s in before), sorted(s.code for s in after)]},
    )
    return True
