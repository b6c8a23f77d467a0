"""Least access: which customers a person may see.

A person holding ``customers.view_all_stores`` sees the whole chain (superusers hold every
permission). Anyone else sees the customers linked to at least one store they hold
(``stores.StaffStore``), and finds another store's customer only by an exact key (a whole
email, phone number, card code or ID number), shown as name, email and phone until one of
their stores is added to the customer (``customers.filters.found_in_other_stores``,
``customers.services.customer_add_to_store``).

Every page that reaches customers, directly or through an account of theirs, narrows its
rows with ``restrict``; the views do it through ``CustomersInScopeMixin``.
"""

from django.db.models import Exists, OuterRef

from stores.actors import (  # noqa: F401 - the scope's questions, asked of customers here
    ALL_STORES_PERMISSION,
    OutOfScope,
    held_store_ids,
    is_chain_wide,
    stores_in_scope,
)

from .models import Customer


def in_held_store(actor, customer_ref="pk"):
    """An EXISTS that is true for rows whose customer (``customer_ref``: its primary key, or
    the field holding it) is linked to a store ``actor`` holds."""
    links = Customer.stores.through.objects.filter(
        customer_id=OuterRef(customer_ref), store_id__in=held_store_ids(actor)
    )
    return Exists(links)


def restrict(queryset, actor, customer_ref="pk"):
    """``queryset`` narrowed to the rows whose customer ``actor`` may see."""
    if is_chain_wide(actor):
        return queryset
    return queryset.filter(in_held_store(actor, customer_ref))


def refuse_unseen(actor, *customer_ids, message="No such customer in your stores."):
    """Refuse (``OutOfScope``) work that touches any of the customers ``customer_ids``
    unless ``actor`` may see each of them: the check every account's service (loyalty,
    memberships, house accounts) makes, whichever door asks."""
    wanted = set(customer_ids)
    seen = restrict(Customer.all_objects.filter(pk__in=wanted), actor).values_list("pk", flat=True)
    if set(seen) != wanted:
        raise OutOfScope(message)


class CustomersInScopeMixin:
    """For a view whose ``get_queryset()`` gives customers, or rows of theirs: keeps only
    those of the signed-in person's stores. ``customer_ref`` names the field holding the
    customer's primary key ("pk" for customers themselves)."""

    customer_ref = "pk"

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, self.customer_ref)
