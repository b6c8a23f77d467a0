from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(using, **kwargs):
    """The database cache's table (``CACHES`` without ``REDIS_URL``), made by every
    ``migrate``: a new installation, a test database and a switch away from Redis need no
    step of their own. ``createcachetable`` leaves an existing table alone."""
    call_command("createcachetable", database=using, verbosity=0)


class RegistersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registers"

    def ready(self):
        # The API's rate limits (registers.api.authentication) are what the cache holds.
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="registers.cache")
