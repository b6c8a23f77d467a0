from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from .tasks import schedule_retention

        # Once the customers' tables are migrated (this app has none of its own).
        post_migrate.connect(
            schedule_retention,
            sender=apps.get_app_config("customers"),
            dispatch_uid="privacy.retention",
        )
