"""Small factories: each makes one valid object and takes overrides as keywords."""

import itertools
import os
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backoffice.audit import Actor
from backoffice.roles import permissions_named
from customers import scope
from customers.models import Customer
from customers.services import customer_save
from stores.models import StaffStore, Store

# Ops at the command line: the actor of a service called outside any page or till.
OPS = Actor("manage.py (tests)")

_sequence = itertools.count(1)


def make_user(username=None, *, groups=(), password=None, stores=None, **fields):
    """A user in the named groups; without a password unless one is given (hashing is slow).

    Given ``stores``, they hold those and see those stores' customers only; else they see
    every store's (``customers.view_all_stores``), as everyone did before stores were held.
    """
    username = username or f"user{next(_sequence)}"
    user = get_user_model().objects.create_user(username, password=password, **fields)
    user.groups.add(*Group.objects.filter(name__in=groups))
    if stores is None:
        user.user_permissions.add(permissions_named([scope.ALL_STORES_PERMISSION]).get())
    else:
        StaffStore.objects.bulk_create(StaffStore(user=user, store=store) for store in stores)
    return user


def make_store(name=None, **fields):
    number = next(_sequence)
    fields.setdefault("code", f"S{number:03d}")
    return Store.objects.create(name=name or f"Store {number}", **fields)


def make_customer(*, stores=None, loyalty_balance=0, loyalty_enrolled=None, user=None, **fields):
    number = next(_sequence)
    fields.setdefault("first_name", "Test")
    fields.setdefault("last_name", f"Customer{number}")
    fields.setdefault("email", f"customer{number}@example.com")
    customer = Customer(**fields)
    return customer_save(
        customer=customer,
        stores=stores or [make_store()],
        loyalty_enrolled=bool(loyalty_balance) if loyalty_enrolled is None else loyalty_enrolled,
        loyalty_balance=loyalty_balance,
        loyalty_reason="opening" if loyalty_balance else "",
        actor=user or OPS,
    )


def image_upload(name="photo.jpg", *, image_format="JPEG", size=(64, 48), exif=None, noise=None):
    """A real image file; ``noise=(width, height)`` makes one that does not compress."""
    buffer = BytesIO()
    if noise:
        image = Image.frombytes("RGB", noise, os.urandom(noise[0] * noise[1] * 3))
    else:
        image = Image.new("RGB", size, color=(200, 30, 30))
    image.save(buffer, format=image_format, **({"exif": exif} if exif else {}))
    content_type = {
        "JPEG": "image/jpeg",
        "PNG": "image/png",
        "WEBP": "image/webp",
        "GIF": "image/gif",
    }
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type[image_format])


def make_plan(name=None, *, allowance="100.00", period="monthly", auto_renew=False, **fields):
    from memberships.models import MembershipPlan, MembershipType

    number = next(_sequence)
    membership_type = fields.pop("membership_type", None) or MembershipType.objects.create(
        name=f"Type {number}"
    )
    return MembershipPlan.objects.create(
        name=name or f"Plan {number}",
        membership_type=membership_type,
        allowance=allowance,
        period=period,
        auto_renew=auto_renew,
        **fields,
    )


def make_membership(customer=None, *, plan=None, issue_date=None, user=None, **fields):
    """An open membership account: its holder, on ``plan``, with the plan's allowance."""
    import datetime

    from memberships.models import MembershipAccount
    from memberships.services import membership_open

    number = next(_sequence)
    account = MembershipAccount(
        customer=customer or make_customer(),
        plan=plan or make_plan(),
        card_number=fields.pop("card_number", f"M{number:05d}"),
        issue_date=issue_date or datetime.date.today(),
        **fields,
    )
    return membership_open(account=account, actor=user or OPS)


def make_house_account(customer=None, *, opening_balance="0.00", user=None, **fields):
    """An open house account; limits and credit as given."""
    from decimal import Decimal

    from house_accounts.models import HouseAccount
    from house_accounts.services import house_account_open

    number = next(_sequence)
    account = HouseAccount(
        customer=customer or make_customer(),
        account_number=fields.pop("account_number", f"H{number:05d}"),
        **fields,
    )
    return house_account_open(
        account=account, opening_balance=Decimal(opening_balance), actor=user or OPS
    )


def remove_every_customer():
    """No customers at all, as before the demo data: every ledger, account and customer
    deleted, ledgers first (no foreign key into a ledger or an account cascades), and the
    counts behind the tiles with them."""
    from customers.models import ConsentEvent, Customer, CustomerTally
    from house_accounts.models import HouseAccount, HouseAccountEntry
    from loyalty.models import LoyaltyAccount, LoyaltyLedgerEntry
    from memberships.models import MembershipAccount, MembershipEntry, MembershipSeat

    for model in (HouseAccountEntry, HouseAccount, MembershipEntry, MembershipSeat,
                  MembershipAccount, LoyaltyLedgerEntry, LoyaltyAccount, ConsentEvent):  # fmt: skip
        model.objects.all().delete()
    Customer.all_objects.all().delete()
    CustomerTally.objects.all().delete()
