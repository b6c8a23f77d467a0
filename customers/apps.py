from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self):
        from .search_index import ensure_sqlite_search_index

        post_migrate.connect(ensure_sqlite_search_index, sender=self)
