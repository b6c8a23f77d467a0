from django.urls import path

from backoffice.exports import ExportFormat

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("export.csv", views.CustomerExportView.as_view(), name="export"),
    path(
        "export-for-excel.csv",
        views.CustomerExportView.as_view(file_format=ExportFormat.CSV_FOR_EXCEL),
        name="export_excel_csv",
    ),
    path(
        "export.xlsx",
        views.CustomerExportView.as_view(file_format=ExportFormat.XLSX),
        name="export_xlsx",
    ),
    path("lookup/", views.CustomerLookupView.as_view(), name="lookup"),
    path("new/", views.CustomerCreateView.as_view(), name="create"),
    path("delete/", views.CustomerBulkDeleteView.as_view(), name="bulk_delete"),
    path("deleted/", views.DeletedCustomerListView.as_view(), name="deleted"),
    path("deleted/restore/", views.CustomerRestoreView.as_view(), name="restore"),
    path("deleted/purge/", views.CustomerPurgeView.as_view(), name="purge"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="edit"),
    path("<int:pk>/photo/", views.CustomerPhotoView.as_view(), name="photo"),
    path("<int:pk>/bounce/clear/", views.CustomerClearBounceView.as_view(), name="clear_bounce"),
    path("<int:pk>/add-to-my-store/", views.CustomerAddToStoreView.as_view(), name="add_to_store"),
]
