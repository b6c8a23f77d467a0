from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("<int:pk>/data/", views.CustomerDataRequestView.as_view(), name="data_request"),
    path("<int:pk>/erase/", views.CustomerEraseView.as_view(), name="erase"),
]
