from django.urls import path

from . import views

app_name = "sales"

# Under /customers/: a customer's sales belong with their page.
urlpatterns = [
    path("<int:customer_pk>/sales/", views.CustomerSalesView.as_view(), name="customer_sales"),
]
