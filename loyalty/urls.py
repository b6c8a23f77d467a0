from django.urls import path

from . import views

app_name = "loyalty"

urlpatterns = [
    path("customers/<int:customer_pk>/", views.LedgerListView.as_view(), name="ledger"),
    path("customers/<int:customer_pk>/adjust/", views.AdjustmentView.as_view(), name="adjust"),
    path("customers/<int:customer_pk>/card/", views.CardAssignView.as_view(), name="assign_card"),
    path("settings/", views.EarnRuleView.as_view(), name="settings"),
    path("cards/", views.CardBatchListView.as_view(), name="batches"),
    path("cards/new/", views.CardBatchCreateView.as_view(), name="batch_create"),
    path("cards/<int:pk>/sheet/", views.CardSheetView.as_view(), name="sheet"),
    path("cards/<int:pk>/sheet.pdf", views.CardSheetPdfView.as_view(), name="sheet_pdf"),
]
