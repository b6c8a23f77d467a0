from django.db import transaction
from django.db.models import F
from django.utils import timezone

from loyalty.services import loyalty_update

from .models import Customer


class ConcurrentEditError(Exception):
    """The customer was saved by someone else after the editing form was loaded."""


@transaction.atomic
def customer_save(
    *,
    customer,
    stores,
    loyalty_enrolled,
    loyalty_balance,
    loyalty_reason,
    user,
    expected_version=None,
):
    """Create or update a customer with its stores and loyalty account, all or nothing.

    ``customer`` carries the new field values (unsaved). For an existing customer whose
    ``expected_version`` no longer matches the stored one, or that was deleted meanwhile,
    nothing is written and ``ConcurrentEditError`` is raised: the row is locked first, so two
    saves of the same version cannot both pass the check. Without ``expected_version`` (a
    tool posting no version) the save is not checked.
    """
    if customer.pk:
        stored_version = (
            Customer.objects.select_for_update()
            .filter(pk=customer.pk)
            .values_list("version", flat=True)
            .first()
        )
        if stored_version is None:  # deleted by someone else meanwhile
            raise ConcurrentEditError
        if expected_version is not None and expected_version != stored_version:
            raise ConcurrentEditError
        customer.version = stored_version + 1
    else:
        customer.created_by = user
    customer.updated_by = user
    customer.save()
    customer.stores.set(stores)
    loyalty_update(
        customer=customer,
        enrolled=loyalty_enrolled,
        balance=loyalty_balance,
        reason=loyalty_reason,
        user=user,
    )
    return customer


class RestoreConflictError(Exception):
    """A customer cannot be restored: another customer now uses the same email address."""

    def __init__(self, customer, holder):
        super().__init__(f"{holder} now uses {customer.email}.")
        self.customer = customer
        self.holder = holder


@transaction.atomic
def customers_delete(*, customers, user):
    """Move customers to the Deleted list, keeping their stores, loyalty account and ledger."""
    return Customer.objects.filter(pk__in=[customer.pk for customer in customers]).update(
        deleted_at=timezone.now(), deleted_by=user, updated_by=user, version=F("version") + 1
    )


@transaction.atomic
def customer_restore(*, customer, user):
    """Bring a deleted customer back, unless a live customer has taken its email since."""
    holder = Customer.objects.filter(email__iexact=customer.email).first()
    if holder:
        raise RestoreConflictError(customer, holder)
    Customer.all_objects.filter(pk=customer.pk).update(
        deleted_at=None, deleted_by=None, updated_by=user, version=F("version") + 1
    )


@transaction.atomic
def customers_purge(*, customers):
    """Destroy deleted customers for good, with their loyalty history and photos."""
    deleted = Customer.all_objects.deleted().filter(pk__in=[c.pk for c in customers])
    photos = [name for name in deleted.values_list("photo", flat=True) if name]
    _, deleted_per_model = deleted.delete()
    storage = Customer._meta.get_field("photo").storage
    # Files are removed only once the rows are gone for sure.
    transaction.on_commit(lambda: [storage.delete(name) for name in photos])
    return deleted_per_model.get(Customer._meta.label, 0)
