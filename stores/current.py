"""The store chosen in the top bar, remembered in the user's session."""

from .models import Store

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
