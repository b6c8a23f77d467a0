from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("choose/", views.ChooseStoreView.as_view(), name="choose"),
]
