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

from stores.models import StaffStore, Store

from .models import Customer

ALL_STORES_PERMISSION = "customers.view_all_stores"


def is_chain_wide(user):
    return user.has_perm(ALL_STORES_PERMISSION)


def held_store_ids(user):
    """The primary keys of the stores ``user`` holds, read once per user object (a request's
    user lives as long as the request)."""
    if not hasattr(user, "_held_store_ids"):
        user._held_store_ids = sorted(
            StaffStore.objects.filter(user_id=user.pk).values_list("store_id", flat=True)
        )
    return user._held_store_ids


def stores_in_scope(user):
    """The stores ``user`` may work in: every store, or the ones they hold."""
    if is_chain_wide(user):
        return Store.objects.all()
    return Store.objects.filter(pk__in=held_store_ids(user))


def in_held_store(user, customer_ref="pk"):
    """An EXISTS that is true for rows whose customer (``customer_ref``: its primary key, or
    the field holding it) is linked to a store ``user`` holds."""
    links = Customer.stores.through.objects.filter(
        customer_id=OuterRef(customer_ref), store_id__in=held_store_ids(user)
    )
    return Exists(links)


def restrict(queryset, user, customer_ref="pk"):
    """``queryset`` narrowed to the rows whose customer ``user`` may see."""
    if is_chain_wide(user):
        return queryset
    return queryset.filter(in_held_store(user, customer_ref))


class CustomersInScopeMixin:
    """For a view whose ``get_queryset()`` gives customers, or rows of theirs: keeps only
    those of the signed-in person's stores. ``customer_ref`` names the field holding the
    customer's primary key ("pk" for customers themselves)."""

    customer_ref = "pk"

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, self.customer_ref)
