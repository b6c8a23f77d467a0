from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = "Loyalty"

    def ready(self):
        from backoffice import balances

        from . import invariants

        balances.register("loyalty", lambda limit: invariants.differences(limit=limit))
