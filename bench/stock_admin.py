"""The baseline of bench/run.py: a stock Django admin changelist of the customers.

A default ``ModelAdmin`` with the back office's search fields, on an admin site of the
benchmark's own, mounted beside the project's URLs: what a team would have without the
back office's list.
"""

from django.contrib import admin
from django.urls import path

from backoffice.urls import urlpatterns as project_urlpatterns
from customers.models import Customer

site = admin.AdminSite(name="stock_admin")


@admin.register(Customer, site=site)
class StockCustomerAdmin(admin.ModelAdmin):
    search_fields = ["first_name", "last_name", "company_name", "email", "phone", "id_number"]


urlpatterns = [*project_urlpatterns, path("stock-admin/", site.urls)]
