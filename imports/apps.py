from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self):
        from backoffice import expiry

        from .services import remove_expired_uploads

        expiry.register("imports", remove_expired_uploads)
