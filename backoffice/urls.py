from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .views import AuditEventListView, TableColumnsView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:list"), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("customers/", include("customers.urls")),
    path("stores/", include("stores.urls")),
    path("audit/", AuditEventListView.as_view(), name="audit"),
    path("tables/<slug:table>/columns/", TableColumnsView.as_view(), name="table_columns"),
    path("admin/", admin.site.urls),
]
