from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from .views import (
    AuditEventListView,
    ExportDetailView,
    ExportDownloadView,
    ExportListView,
    ExportProgressView,
    ExportRunAgainView,
    PasswordChangeView,
    TableColumnsView,
)

handler500 = "backoffice.views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:list"), name="home"),
    # Sign-in pages, without the password-reset ones: no email is configured to send them.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_changed.html"
        ),
        name="password_change_done",
    ),
    path("customers/", include("customers.urls")),
    path("customers/", include("imports.urls")),
    path("customers/", include("sales.urls")),
    path("customers/", include("privacy.urls")),
    path("registers/", include("registers.urls")),
    path("staff/", include("stores.staff_urls")),
    path("api/v1/", include("registers.api.urls")),
    path("stores/", include("stores.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("memberships/", include("memberships.urls")),
    path("house-accounts/", include("house_accounts.urls")),
    path("audit/", AuditEventListView.as_view(), name="audit"),
    path("jobs/", include("jobs.urls")),
    path("exports/", ExportListView.as_view(), name="export_list"),
    path("exports/<int:pk>/", ExportDetailView.as_view(), name="export_detail"),
    path("exports/<int:pk>/progress/", ExportProgressView.as_view(), name="export_progress"),
    path("exports/<int:pk>/download/", ExportDownloadView.as_view(), name="export_download"),
    path("exports/<int:pk>/run-again/", ExportRunAgainView.as_view(), name="export_run_again"),
    path("tables/<slug:table>/columns/", TableColumnsView.as_view(), name="table_columns"),
    path("admin/", admin.site.urls),
]
