from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class BackofficeAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "backoffice.sites.SuperuserAdminSite"


class BackofficeConfig(AppConfig):
    """The pieces every app shares: staff roles, the audit trail, table column choices."""

    default = True
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self):
        from . import expiry
        from .roles import ensure_roles
        from .services import remove_expired_exports

        expiry.register("exports", remove_expired_exports)
        # Every app's permissions exist only after its own post_migrate, so the roles are
        # brought up to date after each app's, adding what exists by then.
        post_migrate.connect(ensure_roles, dispatch_uid="backoffice.ensure_roles")
