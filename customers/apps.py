from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self):
        from backoffice import expiry

        from .photos import remove_expired_pending_photos
        from .search_index import ensure_sqlite_search_index

        post_migrate.connect(ensure_sqlite_search_index, sender=self)
        expiry.register("pending photos", remove_expired_pending_photos)
