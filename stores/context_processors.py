from .current import get_current_store
from .models import Store


def store_choice(request):
    """The top bar's Store dropdown: the active stores and the one chosen."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "store_choices": Store.objects.active(),
        "current_store": get_current_store(request),
    }
