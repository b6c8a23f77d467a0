"""The staff roles of the back office, kept as Django groups.

The groups are (re)created after every ``migrate``, so that a new database has them and a
permission added to a role in code reaches existing databases too. Permissions given by
hand in the admin to these groups are kept; only missing ones are added.
"""

from django.contrib.auth.models import Group, Permission

STORE_STAFF = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "stores.view_store",
]
ROLES = {
    "Store staff": STORE_STAFF,
    "Managers": [
        *STORE_STAFF,
        "customers.delete_customer",
        "customers.restore_customer",
        "customers.export_customer",
    ],
}


def ensure_roles(**kwargs):
    for group_name, permission_names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*permissions_named(permission_names))


def permissions_named(names):
    permissions = []
    for name in names:
        app_label, codename = name.split(".")
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return permissions
