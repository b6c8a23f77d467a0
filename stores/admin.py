from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import StaffStore, Store, StorePreference
from .services import staff_stores_set


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "time_zone", "is_active"]
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


class StaffStoreInline(admin.TabularInline):
    model = StaffStore
    extra = 1
    verbose_name = "store held"
    verbose_name_plural = "Stores held (without “Can see the customers of every store”, "
    "the customers of these stores only)"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin, with the stores each person holds."""

    inlines = [*UserAdmin.inlines, StaffStoreInline]

    def save_formset(self, request, form, formset, change):
        """The stores held are set by the one service that writes them (and its audit
        event), not saved row by row."""
        if formset.model is not StaffStore:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # writes nothing; tells the admin's history what changed
        held = {
            row.cleaned_data["store"]
            for row in formset.forms
            if row.cleaned_data.get("store") and not row.cleaned_data.get("DELETE")
        }
        staff_stores_set(user=form.instance, stores=held, actor=request.user)
