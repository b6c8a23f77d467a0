from django.urls import path

from . import views

app_name = "house_accounts"

urlpatterns = [
    path("", views.HouseAccountListView.as_view(), name="list"),
    path("new/", views.HouseAccountCreateView.as_view(), name="create"),
    path("delete/", views.HouseAccountDeleteView.as_view(), name="delete"),
    path("<int:pk>/", views.HouseAccountDetailView.as_view(), name="account"),
    path("<int:pk>/edit/", views.HouseAccountUpdateView.as_view(), name="edit"),
    path("<int:pk>/entries/", views.EntryView.as_view(), name="entry"),
    path("<int:pk>/statement/", views.StatementView.as_view(), name="statement"),
]
