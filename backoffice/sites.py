from django.contrib.admin import AdminSite


class SuperuserAdminSite(AdminSite):
    """Django admin, for superusers only.

    Store staff and managers work in the back office pages, which enforce the business rules
    (loyalty ledger, concurrent edits); the admin is kept for administrators.
    """

    site_header = "Retail Back Office administration"
    site_title = "Retail Back Office admin"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
