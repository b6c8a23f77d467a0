from django.urls import path

from . import views

app_name = "house_accounts"

urlpatterns = [
    path("", views.HouseAccountListView.as_view(), name="list"),
    path("new/", views.HouseAccountCreateView.as_view(), name="create"),
    path("delete/", views.HouseAccountDeleteView.as_view(), name="delete"),
    *views.HOUSE_ACCOUNTS.get_urls(),
    path("<int:pk>/statement/", views.StatementView.as_view(), name="statement"),
]
