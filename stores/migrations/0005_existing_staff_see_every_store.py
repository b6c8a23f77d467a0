"""Nobody is locked out by the upgrade that brings held stores: each person already on the
books who holds no store keeps seeing every store's customers (``customers.view_all_stores``,
given to them directly), until an administrator gives them stores on the Staff page and takes
that permission away. People added later hold what they are given."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def existing_staff_see_every_store(apps, schema_editor):
    customers = apps.get_app_config("customers")
    customers.models_module = True  # create_permissions skips an app without one
    create_permissions(customers, apps=apps, verbosity=0)
    customers.models_module = None
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("auth", "User")
    StaffStore = apps.get_model("stores", "StaffStore")
    every_store = Permission.objects.get(
        content_type__app_label="customers", codename="view_all_stores"
    )
    holding_none = User.objects.filter(is_superuser=False).exclude(
        pk__in=StaffStore.objects.values("user_id")
    )
    for user in holding_none:
        user.user_permissions.add(every_store)


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0004_staff_stores"),
        ("customers", "0009_view_all_stores"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(existing_staff_see_every_store, migrations.RunPython.noop),
    ]
