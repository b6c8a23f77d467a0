from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = "Stores"

    def ready(self):
        from .current import start_with_remembered_store

        user_logged_in.connect(start_with_remembered_store, dispatch_uid="stores.remembered_store")
