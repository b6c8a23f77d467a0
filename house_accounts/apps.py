from django.apps import AppConfig


class HouseAccountsConfig(AppConfig):
    name = "house_accounts"
    verbose_name = "House accounts"

    def ready(self):
        from backoffice import balances
        from customers import extensions

        from . import panels, services
        from .models import HouseAccount

        extensions.register_panel("house_accounts/customer_panel.html", panels.customer_panel)
        extensions.register_deletion_warning(panels.deletion_warnings)
        extensions.register_purge(services.remove_for_purge)
        balances.register(
            "house accounts", lambda limit: balances.ledger_differences(HouseAccount, limit)
        )
