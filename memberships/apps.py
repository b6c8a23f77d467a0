from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "memberships"
    verbose_name = "Memberships"

    def ready(self):
        from backoffice import balances
        from customers import extensions

        from . import panels, services
        from .models import MembershipAccount

        extensions.register_panel("memberships/customer_panel.html", panels.customer_panel)
        extensions.register_deletion_warning(panels.deletion_warnings)
        extensions.register_purge(services.remove_for_purge)
        balances.register(
            "memberships", lambda limit: balances.ledger_differences(MembershipAccount, limit)
        )
