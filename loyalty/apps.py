from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = "Loyalty"

    def ready(self):
        from backoffice import balances
        from customers import extensions

        from . import invariants, services

        balances.register("loyalty", lambda limit: invariants.differences(limit=limit))
        extensions.register_purge(services.remove_for_purge)
