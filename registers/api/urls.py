from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication

from . import errors, views
from .authentication import IsRegisterOrManager, RegisterKeyAuthentication

# The schema and the docs are read by registers, and by managers in the back office.
DOCS_ACCESS = {
    "authentication_classes": [RegisterKeyAuthentication, SessionAuthentication],
    "permission_classes": [IsRegisterOrManager],
}

urlpatterns = [
    path("customers/", views.CustomerSearchView.as_view(), name="api_customers"),
    # Any text as the id: one that is not a customer's is a 404 in JSON, as every other.
    path("customers/<str:pk>/", views.CustomerDetailView.as_view(), name="api_customer"),
    path(
        "customers/<str:pk>/add-to-store/",
        views.AddToStoreView.as_view(),
        name="api_customer_add_to_store",
    ),
    path("customers/<str:pk>/sales/", views.CustomerSalesView.as_view(), name="api_customer_sales"),
    path("sales/", views.SaleCreateView.as_view(), name="api_sales"),
    path("sales/<str:receipt>/", views.SaleDetailView.as_view(), name="api_sale"),
    path("schema/", SpectacularAPIView.as_view(**DOCS_ACCESS), name="api_schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", **DOCS_ACCESS),
        name="api_docs",
    ),
    re_path(r"", errors.not_found),
]
