from django.db import transaction

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
    ``expected_version`` no longer matches the stored one, nothing is written and
    ``ConcurrentEditError`` is raised: the row is locked first, so two saves of the same
    version cannot both pass the check.
    """
    if customer.pk:
        stored_version = (
            Customer.objects.select_for_update()
            .filter(pk=customer.pk)
            .values_list("version", flat=True)
            .get()
        )
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
