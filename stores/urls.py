from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("choose/", views.ChooseStoreView.as_view(), name="choose"),
    path("settings/", views.StoreSettingsView.as_view(), name="settings"),
]
