from django.contrib import admin

from .models import Store, StorePreference


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["name", "code"]


@admin.register(StorePreference)
class StorePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "default_store", "last_store"]
    list_select_related = ["user", "default_store", "last_store"]
    list_filter = ["default_store"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["last_store"]
