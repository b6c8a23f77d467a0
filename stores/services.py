"""Which stores each staff member holds."""

from django.contrib.auth import get_user_model
from django.db import transaction

from backoffice import audit

from .models import StaffStore, Store


def stores_held_by(user):
    return Store.objects.filter(staff__user=user).order_by("code")


@transaction.atomic
def staff_stores_set(*, user, stores, actor):
    """Make ``stores`` the ones ``user`` holds: an audit event about the user says which
    they held before and which now. Returns whether anything changed."""
    # The person's row is locked: two changes of their stores apply one after the other.
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    before = set(stores_held_by(user))
    after = set(stores)
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
