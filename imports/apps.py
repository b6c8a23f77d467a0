from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self):
        from backoffice import expiry
        from customers import extensions

        from .services import redact_for_purge, remove_expired_uploads

        expiry.register("imports", remove_expired_uploads)
        extensions.register_purge(redact_for_purge)
