"""The store chosen in the top bar: kept in the user's session for the pages they open, and
remembered on their row for their next sign-in."""

from .models import Store, StorePreference

SESSION_KEY = "current_store_id"


def get_current_store(request):
    """Return the chosen active store, or None for "All stores"."""
    if not hasattr(request, "_current_store"):
        store_id = request.session.get(SESSION_KEY)
        request._current_store = (
            Store.objects.active().filter(pk=store_id).first() if store_id else None
        )
    return request._current_store


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
