"""The Staff pages (``/staff/``): who holds which stores."""

from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.StaffListView.as_view(), name="list"),
    path("<int:pk>/stores/", views.StaffStoresView.as_view(), name="stores"),
]
