from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("", views.RegisterListView.as_view(), name="list"),
    path("new/", views.RegisterCreateView.as_view(), name="create"),
    path("<int:pk>/", views.RegisterDetailView.as_view(), name="detail"),
    path("<int:pk>/deactivate/", views.RegisterDeactivateView.as_view(), name="deactivate"),
    path("<int:pk>/release/", views.RegisterReleaseView.as_view(), name="release"),
    path("<int:pk>/reactivate/", views.RegisterReactivateView.as_view(), name="reactivate"),
]
