from django.urls import path

from . import views

app_name = "imports"

# Under /customers/: the Import Customers page belongs with the customer list.
urlpatterns = [
    path("import/", views.ImportUploadView.as_view(), name="upload"),
    path("import/template.csv", views.ImportTemplateView.as_view(), name="template"),
    path("imports/", views.ImportListView.as_view(), name="list"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("imports/<int:pk>/mapping/", views.ImportMappingView.as_view(), name="mapping"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="progress"),
    path("imports/<int:pk>/commit/", views.ImportCommitView.as_view(), name="commit"),
    path("imports/<int:pk>/valid-rows/", views.ImportValidRowsView.as_view(), name="valid_rows"),
    path("imports/<int:pk>/cancel/", views.ImportCancelView.as_view(), name="cancel"),
    path("imports/<int:pk>/run-again/", views.ImportRunAgainView.as_view(), name="run_again"),
    path("imports/<int:pk>/errors.csv", views.ImportErrorReportView.as_view(), name="errors"),
]
