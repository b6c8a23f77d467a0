"""Who acts, and where it may.

Every service takes ``actor=``, and every queryset that a door reads through takes it too
(``for_actor(actor)``). An actor is one of three things:

- a signed-in person (a ``User``): the permissions of their groups, and the stores they hold
  (``StaffStore``), or every store with ``customers.view_all_stores``;
- a register (``registers.models.Register``): a till's few permissions, in its own store;
- a command or a job named in the audit trail (``backoffice.audit.Actor``): ops run it on
  the whole chain, so it holds every permission and every store.

Each answers ``has_perm(perm)``. A register answers ``held_store_ids()`` itself, a
person's stores are read here, and a named command holds every permission, so it is
chain-wide and never asked which stores it holds. So a page, an API endpoint, a command
and a job meet the same rules, whichever door they came in by.
"""

from django.http import Http404

from .models import StaffStore, Store

ALL_STORES_PERMISSION = "customers.view_all_stores"


class OutOfScope(Http404):
    """The object is not the actor's to see: outside the stores it holds. A page answers
    a 404 and the API a JSON 404 (both know ``Http404``), so that nothing tells whether
    the object exists; a command never meets it, as it acts for the whole chain."""


def person(actor):
    """The signed-in person who acts, for a "by" column; None for a register or a command
    (the audit trail names those)."""
    return actor if actor is not None and actor.is_authenticated else None


def is_chain_wide(actor):
    return actor.has_perm(ALL_STORES_PERMISSION)


def held_store_ids(actor):
    """The primary keys of the stores ``actor`` holds. A person's are read once per user
    object (a request's user lives as long as the request)."""
    if hasattr(actor, "held_store_ids"):
        return actor.held_store_ids()
    if not hasattr(actor, "_held_store_ids"):
        actor._held_store_ids = sorted(
            StaffStore.objects.filter(user_id=actor.pk).values_list("store_id", flat=True)
        )
    return actor._held_store_ids


def stores_in_scope(actor):
    """The stores ``actor`` may work in: every store, or the ones it holds."""
    if is_chain_wide(actor):
        return Store.objects.all()
    return Store.objects.filter(pk__in=held_store_ids(actor))


def holds_store(actor, store):
    return is_chain_wide(actor) or store.pk in held_store_ids(actor)


def refuse_unless_holds(actor, stores):
    """Refuse (``OutOfScope``) work in any of ``stores`` that ``actor`` does not hold."""
    if is_chain_wide(actor):
        return
    held = set(held_store_ids(actor))
    outside = sorted(store.code for store in stores if store.pk not in held)
    if outside:
        raise OutOfScope(f"Not a store you hold: {', '.join(outside)}.")
