from customers import scope

from .current import choosable_stores, get_current_store


def store_choice(request):
    """The top bar's Store dropdown: the active stores the person works in, and the one
    chosen ("All stores" is offered to those who see every store's customers)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "store_choices": choosable_stores(request.user),
        "all_stores_choosable": scope.is_chain_wide(request.user),
        "current_store": get_current_store(request),
    }
