from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:list"), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("customers/", include("customers.urls")),
    path("stores/", include("stores.urls")),
    path("admin/", admin.site.urls),
]
