from django.apps import AppConfig


class SalesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sales"

    def ready(self):
        from customers import extensions

        from . import panels

        extensions.register_panel("sales/customer_panel.html", panels.customer_panel)
