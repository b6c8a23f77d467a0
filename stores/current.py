"""The store chosen in the top bar: kept in the user's session for the pages they open, and
remembered on their row for their next sign-in.

A person who sees only their own stores' customers (``customers.scope``) always works in one
of their stores: their first one until they choose another, never "All stores".
"""

from customers import scope

from .models import StorePreference

SESSION_KEY = "current_store_id"


def get_current_store(request):
    """Return the chosen active store, or None for "All stores"."""
    if not hasattr(request, "_current_store"):
        stores = choosable_stores(request.user)
        store_id = request.session.get(SESSION_KEY)
        chosen = stores.filter(pk=store_id).first() if store_id else None
        if chosen is None and not scope.is_chain_wide(request.user):
            chosen = stores.order_by("code").first()
        request._current_store = chosen
    return request._current_store


def choosable_stores(user):
    """The stores the top bar offers ``user``: the active ones among those they work in."""
    return scope.stores_in_scope(user).active()


def set_current_store(request, store):
    if store is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = store.pk
    request._current_store = store


def choose_store(request, store):
    """Switch the top bar to ``store`` (None: All stores) and remember it as the user's last
    choice."""
    set_current_store(request, store)
    StorePreference.objects.update_or_create(user=request.user, defaults={"last_store": store})


def start_with_remembered_store(sender, request, user, **kwargs):
    """At sign-in, the top bar starts with the user's default store, else their last choice."""
    preference = (
        StorePreference.objects.select_related("default_store", "last_store")
        .filter(user=user)
        .first()
    )
    if preference is not None:
        set_current_store(request, preference.store_at_sign_in())
