"""Registers: created with a key shown once, deactivated (the key is refused at once) and
reactivated with a new key; the device holding one released. Each is an audit event about
the register. A person does this only for the stores they hold (``stores.actors``):
anything else is ``OutOfScope``, whichever door the request came in by."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backoffice import audit
from stores.actors import refuse_unless_holds

from .models import IdempotentAnswer, Register, new_key


@transaction.atomic
def register_create(*, name, store, actor):
    """A new register of ``store``, and its key (shown once: only its hash is kept)."""
    refuse_unless_holds(actor, [store])
    key, prefix, hashed = new_key()
    register = Register.objects.create(name=name, store=store, key_prefix=prefix, key_hash=hashed)
    audit.record(
        user=actor, action=audit.Action.CREATE, obj=register,
        summary=f"Created with the key {prefix}…",
    )  # fmt: skip
    return register, key


@transaction.atomic
def register_deactivate(*, register, actor):
    """Refuse the register's key from now on. Returns whether it was active. The device
    that held it stays on its page until the register is reactivated."""
    refuse_unless_holds(actor, [register.store])
    deactivated = Register.objects.filter(pk=register.pk, is_active=True).update(
        is_active=False, deactivated_at=timezone.now()
    )
    if deactivated:
        register.is_active = False
        audit.record(
            user=actor, action=audit.Action.UPDATE, obj=register,
            summary=f"Deactivated: its key {register.key_prefix}… is refused",
        )  # fmt: skip
    return bool(deactivated)


@transaction.atomic
def register_reactivate(*, register, actor):
    """Make the register active again with a new key, returned (shown once); its old key
    never works again. The device that held it is released too: the new key is typed into
    a till, perhaps another one (the old till lost or broken), and the first device to use
    it holds the register."""
    refuse_unless_holds(actor, [register.store])
    key, prefix, hashed = new_key()
    old_prefix = register.key_prefix
    Register.objects.filter(pk=register.pk).update(
        is_active=True, deactivated_at=None, key_prefix=prefix, key_hash=hashed,
        device="", device_since=None,
    )  # fmt: skip
    register.is_active, register.key_prefix, register.key_hash = True, prefix, hashed
    register.device, register.device_since = "", None
    audit.record(
        user=actor, action=audit.Action.UPDATE, obj=register,
        summary=f"Reactivated with the new key {prefix}… (the key {old_prefix}… is refused)",
    )  # fmt: skip
    return key


@transaction.atomic
def register_release_device(*, register, actor):
    """Let go of the device holding the register: the next device to use its key holds it
    (a till replaced, or moved to another computer). Returns whether a device held it."""
    refuse_unless_holds(actor, [register.store])
    held = (
        Register.objects.select_for_update()
        .filter(pk=register.pk)
        .values_list("device", "device_since")
        .get()
    )
    device, since = held
    if not device:
        return False
    Register.objects.filter(pk=register.pk).update(device="", device_since=None)
    register.device, register.device_since = "", None
    audit.record(
        user=actor, action=audit.Action.UPDATE, obj=register,
        summary=f"Released the device {device} (it held the register since "
        f"{timezone.localtime(since):%Y-%m-%d %H:%M})",
        changes={"device": [device, ""]},
    )  # fmt: skip
    return True


def register_claim(*, register, device):
    """Whether ``device`` holds ``register``: the first device to use the register's key
    takes it, in one conditional update, so two devices starting at once cannot both."""
    if register.device == device:
        return True
    now = timezone.now()
    taken = Register.objects.filter(pk=register.pk, device="").update(
        device=device, device_since=now, last_seen_at=now
    )
    if taken:
        register.device, register.device_since, register.last_seen_at = device, now, now
        audit.record(
            user=register, action=audit.Action.UPDATE, obj=register,
            summary=f"Held by the device {device} from its first request",
        )  # fmt: skip
        return True
    register.device, register.device_since, register.last_seen_at = (
        Register.objects.filter(pk=register.pk)
        .values_list("device", "device_since", "last_seen_at")
        .get()
    )
    return register.device == device


def remove_old_idempotent_answers(now=None):
    """Forget the answers kept for ``Idempotency-Key`` retries after
    ``IDEMPOTENCY_KEEP_HOURS``: a till retries within minutes, Stripe keeps keys a day.
    Returns how many were removed."""
    since = (now or timezone.now()) - datetime.timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    removed, _ = IdempotentAnswer.objects.filter(created_at__lt=since).delete()
    return removed
