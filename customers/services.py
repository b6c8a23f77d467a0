from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from backoffice import audit
from loyalty.services import card_assign, loyalty_update
from stores.actors import (
    OutOfScope,
    held_store_ids,
    is_chain_wide,
    person,
    refuse_unless_holds,
)

from . import extensions, tallies
from .consent import consent_changes
from .filters import found_in_other_stores
from .models import EMAIL_CONSTRAINT, ConsentEvent, ConsentSource, Customer
from .tallies import recounted

# What the audit trail follows of a customer: every field staff can edit, and the stores.
AUDITED_FIELDS = [
    field.name
    for field in Customer._meta.concrete_fields
    if field.editable and not field.primary_key
]


class ConcurrentEditError(Exception):
    """The customer was saved by someone else after the editing form was loaded."""


class EmailTaken(Exception):
    """Another live customer has the email address: two saves raced to it, and the
    database's unique index kept the first (the form tells the clash before, when it can)."""


def locked_in_scope(actor, pks, *, manager=Customer.objects):
    """The customers ``pks``, locked, refused (``OutOfScope``) if any is outside what
    ``actor`` may see or gone."""
    pks = set(pks)
    locked = list(manager.for_actor(actor).select_for_update().filter(pk__in=pks).order_by("pk"))
    if len(locked) != len(pks):
        raise OutOfScope("No such customer in your stores.")
    return locked


def refuse_out_of_sight(actor, stores):
    """A new customer is one of the actor's stores' (``PermissionDenied`` otherwise): in
    none of them, they would be out of its sight once saved."""
    if is_chain_wide(actor):
        return
    held = set(held_store_ids(actor))
    if not any(getattr(store, "pk", store) in held for store in stores):
        raise PermissionDenied("A new customer is one of your stores' customers.")


def stores_kept(actor, before, asked):
    """The stores (by id) a customer keeps when ``actor`` asks for ``asked`` (stores or
    ids): a store ``actor`` does not hold is never removed (it is not theirs to take away,
    and it would take the customer out of that store's sight); the stores it holds are as
    asked."""
    if is_chain_wide(actor):
        return list(asked)
    held = set(held_store_ids(actor))
    kept = [store.pk for store in before if store.pk not in held]
    return list(dict.fromkeys([*kept, *(getattr(store, "pk", store) for store in asked)]))


@transaction.atomic
@tallies.added_together()
def customer_save(
    *,
    customer,
    stores,
    actor,
    loyalty_enrolled=None,
    loyalty_balance=None,
    loyalty_reason="",
    loyalty_note="",
    loyalty_version=None,
    loyalty_code=None,
    expected_version=None,
    consent_source=ConsentSource.FORM,
):
    """Create or update a customer with its stores and loyalty account, all or nothing.

    ``customer`` carries the new field values (unsaved). For an existing customer whose
    ``expected_version`` no longer matches the stored one, or that was deleted meanwhile,
    nothing is written and ``ConcurrentEditError`` is raised: the row is locked first, so two
    saves of the same version cannot both pass the check. Without ``expected_version`` (a
    tool posting no version, Django admin) the save is not checked. Without
    ``loyalty_enrolled`` the loyalty account is left as it is; ``loyalty_balance`` None
    leaves the balance, and ``loyalty_version`` refuses a balance that changed meanwhile
    (``loyalty.services.loyalty_update``). ``loyalty_code`` gives the customer that loyalty
    card ("" takes their card away; None leaves it). A change of marketing consent is
    stamped and recorded as coming from ``consent_source`` (``customers.consent``).

    The audit trail gets a "create" event with the values given, or an "update" event with
    the fields that changed (none: no event).
    """
    before = {}
    replaced_photo = ""
    if customer.pk:
        stored = Customer.objects.select_for_update().filter(pk=customer.pk).first()
        if stored is None:  # deleted by someone else meanwhile
            raise ConcurrentEditError
        if not Customer.objects.for_actor(actor).filter(pk=stored.pk).exists():
            raise OutOfScope("No such customer in your stores.")
        if expected_version is not None and expected_version != stored.version:
            raise ConcurrentEditError
        stores = stores_kept(actor, stored.stores.all(), stores)
        before = customer_snapshot(stored)
        replaced_photo = stored.photo.name
        customer.version = stored.version + 1
        customer.loyalty_points = stored.loyalty_points  # loyalty.services keeps it
    if not customer.pk:
        refuse_out_of_sight(actor, stores)
    staff = person(actor)
    if not customer.pk:
        customer.created_by = staff
    customer.updated_by = staff
    consented = consent_changes(customer, before, source=consent_source, user=actor)
    with recounted([customer.pk] if customer.pk else []) as counted:
        try:
            with transaction.atomic():
                customer.save()
        except IntegrityError as error:
            if EMAIL_CONSTRAINT in str(error):
                raise EmailTaken(customer.email) from None
            raise
        customer.stores.set(stores)
        counted.add(customer.pk)
    ConsentEvent.objects.bulk_create(consented)
    if replaced_photo and replaced_photo != customer.photo.name:
        delete_photo_file_on_commit(replaced_photo)
    after = customer_snapshot(customer)
    if not before:
        created = {
            name: [None, value] for name, value in after.items() if value not in ("", None, [])
        }
        audit.record(
            user=actor, action=audit.Action.CREATE, obj=customer, summary="Created", changes=created
        )
    elif changes := audit.changes_between(before, after):
        audit.record(
            user=actor,
            action=audit.Action.UPDATE,
            obj=customer,
            summary=f"Changed {', '.join(audit.field_label(Customer, name) for name in changes)}",
            changes=changes,
        )
    if loyalty_enrolled is not None:
        loyalty_update(
            customer=customer,
            enrolled=loyalty_enrolled,
            balance=loyalty_balance,
            reason=loyalty_reason,
            note=loyalty_note,
            actor=actor,
            expected_version=loyalty_version,
        )
    if loyalty_code is not None:
        card_assign(customer=customer, code=loyalty_code, actor=actor)
    return customer


def customer_snapshot(customer):
    values = audit.snapshot(customer, AUDITED_FIELDS)
    values["stores"] = sorted(customer.stores.values_list("code", flat=True))
    return values


@transaction.atomic
def customer_add_to_store(*, customer, store, actor, key=""):
    """Link ``customer`` to ``store``, one of ``actor``'s: an actor who sees its own
    stores' customers only (a person, a register) found them in another store by an exact
    ``key`` (a whole email, phone number, card code or ID number), and takes them on. A
    key that does not name them is refused as if they did not exist (``OutOfScope``).
    The audit event says who added which store. Returns whether a link was added."""
    refuse_unless_holds(actor, [store])
    if not Customer.objects.for_actor(actor).filter(pk=customer.pk).exists():
        found = found_in_other_stores(key, user=actor, current_store=store)
        if customer.pk not in {other.pk for other in found}:
            raise OutOfScope("No customer of another store has that key.")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    before = sorted(locked.stores.values_list("code", flat=True))
    if store.code in before:
        return False
    with recounted([locked.pk]):
        locked.stores.add(store)
    Customer.objects.filter(pk=locked.pk).update(updated_by=person(actor), version=F("version") + 1)
    audit.record(
        user=actor,
        action=audit.Action.UPDATE,
        obj=locked,
        summary=f"Added to {store.name}, found there by an exact search",
        changes={"stores": [before, sorted([*before, store.code])]},
    )
    return True


@transaction.atomic
def customer_clear_bounce(*, customer, actor):
    """Forget that mail to the customer's address bounced. Returns whether it had."""
    (locked,) = locked_in_scope(actor, [customer.pk])
    if locked.email_bounced_at is None:
        return False
    Customer.objects.filter(pk=locked.pk).update(
        email_bounced_at=None, updated_by=person(actor), version=F("version") + 1
    )
    audit.record(
        user=actor,
        action=audit.Action.UPDATE,
        obj=locked,
        summary="Cleared the email bounce",
        changes={"email_bounced_at": [audit.jsonable(locked.email_bounced_at), None]},
    )
    return True


class RestoreConflictError(Exception):
    """A customer cannot be restored: another customer now uses the same email address."""

    def __init__(self, customer, holder):
        super().__init__(f"{holder} now uses {customer.email}.")
        self.customer = customer
        self.holder = holder


@transaction.atomic
def customers_delete(*, customers, actor):
    """Move customers to the Deleted list, keeping their stores, loyalty account and ledger."""
    live = locked_in_scope(actor, [customer.pk for customer in customers])
    with recounted(customer.pk for customer in live):
        count = Customer.objects.filter(pk__in=[customer.pk for customer in live]).update(
            deleted_at=timezone.now(),
            deleted_by=person(actor),
            updated_by=person(actor),
            version=F("version") + 1,
        )
    audit.record_many(
        user=actor, action=audit.Action.DELETE, objects=live, summary="Moved to Deleted"
    )
    return count


@transaction.atomic
def customer_restore(*, customer, actor):
    """Bring a deleted customer back, unless a live customer has taken its email since."""
    locked_in_scope(actor, [customer.pk], manager=Customer.all_objects.deleted())
    holder = Customer.objects.with_email(customer.email).first()
    if holder:
        raise RestoreConflictError(customer, holder)
    with recounted([customer.pk]):
        Customer.all_objects.filter(pk=customer.pk).update(
            deleted_at=None, deleted_by=None, updated_by=person(actor), version=F("version") + 1
        )
    audit.record(
        user=actor, action=audit.Action.RESTORE, obj=customer, summary="Restored from Deleted"
    )


class PurgeRefused(Exception):
    """Some of the customers hold or owe money: ``reasons`` is {customer pk: [why]}."""

    def __init__(self, reasons):
        super().__init__(" ".join(reason for found in reasons.values() for reason in found))
        self.reasons = reasons


@transaction.atomic
def customers_purge(*, customers, actor):
    """Destroy deleted customers for good, with their loyalty history, memberships and
    house accounts (each app removes its own, ledgers included) and photos. Refused, for
    all of them, while any of their accounts holds or owes money (``PurgeRefused``).

    Their audit events stay, without the personal data, and a "purge" event is added.
    """
    deleted = Customer.all_objects.deleted().filter(pk__in=[c.pk for c in customers])
    purged = locked_in_scope(actor, [c.pk for c in customers], manager=deleted)
    if reasons := extensions.warnings_for(purged, lock=True):
        raise PurgeRefused(reasons)
    photos = [customer.photo.name for customer in purged if customer.photo]
    audit.redact_history(model=Customer, pks=[customer.pk for customer in purged])
    extensions.purge_related(purged)
    ConsentEvent.objects.filter(customer__in=purged).delete()
    _, deleted_per_model = deleted.delete()
    audit.record_many(
        user=actor,
        action=audit.Action.PURGE,
        objects=purged,
        summary="Purged for good",
        anonymous=True,
    )
    for name in photos:
        delete_photo_file_on_commit(name)
    return deleted_per_model.get(Customer._meta.label, 0)


def delete_photo_file_on_commit(name):
    """Remove a photo file that no row uses any more, once that is committed for sure: a
    rolled-back save keeps its old photo. (Replaced photos go at once, so a purge removes
    the only file a customer still has.)"""
    storage = Customer._meta.get_field("photo").storage
    transaction.on_commit(lambda: storage.delete(name))
