"""The staff roles of the back office, kept as Django groups: one vocabulary for every app.

The groups are (re)created after every ``migrate``, so that a new database has them and a
permission added to a role in code reaches existing databases too. Permissions given by
hand in the admin to these groups are kept; only missing ones are added.

Purging customers for good (``customers.purge_customer``) is in no role: an administrator
grants it to a person, and superusers hold it anyway.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

STORE_STAFF = "Store staff"
MANAGERS = "Managers"

STORE_STAFF_PERMISSIONS = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "stores.view_store",
    "loyalty.view_loyaltyledgerentry",  # a customer's loyalty history
    "loyalty.change_loyaltyaccount",  # adjusting points
    "loyalty.change_loyaltycard",  # handing a loyalty card to a customer
    "memberships.view_membershiptype",
    "memberships.view_membershipplan",
    "memberships.view_membershipaccount",
    "memberships.record_membership_charge",
    "house_accounts.view_houseaccount",
    "house_accounts.record_house_account_charge",
    "sales.view_sale",  # a customer's sales from the tills
]
ROLES = {
    STORE_STAFF: STORE_STAFF_PERMISSIONS,
    MANAGERS: [
        *STORE_STAFF_PERMISSIONS,
        "customers.delete_customer",
        "customers.restore_customer",
        "customers.export_customer",
        "backoffice.view_export",  # their own exports written in the background
        "backoffice.view_auditevent",
        "jobs.view_job",  # Background jobs: every kind, for watching the workers
        "loyalty.view_loyaltycardbatch",  # listing and printing loyalty card codes
        "loyalty.add_loyaltycardbatch",  # generating them
        "loyalty.change_earnrule",  # Loyalty settings: the points a sale earns
        "memberships.add_membershiptype",
        "memberships.change_membershiptype",
        "memberships.delete_membershiptype",
        "memberships.add_membershipplan",
        "memberships.change_membershipplan",
        "memberships.delete_membershipplan",
        "memberships.add_membershipaccount",
        "memberships.change_membershipaccount",
        "house_accounts.add_houseaccount",
        "house_accounts.change_houseaccount",
        "house_accounts.delete_houseaccount",
        "house_accounts.record_large_payment",  # over HOUSE_ACCOUNT_STAFF_MAXIMUM
        "imports.view_customerimport",
        "imports.add_customerimport",
        "registers.view_register",
        "registers.add_register",
        "registers.change_register",  # deactivating and reactivating
        "stores.view_staffstore",  # Staff: who holds which stores
        "stores.change_staffstore",
    ],
}


def ensure_roles(**kwargs):
    for group_name, permission_names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*permissions_named(permission_names))


def permissions_named(names):
    """The permissions among ``names`` ("app_label.codename") that exist so far."""
    wanted = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(wanted)
