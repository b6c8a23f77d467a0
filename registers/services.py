"""Registers: created with a key shown once, deactivated (the key is refused at once) and
reactivated with a new key. Each is an audit event about the register."""

from django.db import transaction
from django.utils import timezone

from backoffice import audit

from .models import Register, new_key


@transaction.atomic
def register_create(*, name, store, actor):
    """A new register of ``store``, and its key (shown once: only its hash is kept)."""
    key, prefix, hashed = new_key()
    register = Register.objects.create(name=name, store=store, key_prefix=prefix, key_hash=hashed)
    audit.record(
        user=actor, action=audit.Action.CREATE, obj=register,
        summary=f"Created with the key {prefix}…",
    )  # fmt: skip
    return register, key


@transaction.atomic
def register_deactivate(*, register, actor):
    """Refuse the register's key from now on. Returns whether it was active."""
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
    never works again."""
    key, prefix, hashed = new_key()
    old_prefix = register.key_prefix
    Register.objects.filter(pk=register.pk).update(
        is_active=True, deactivated_at=None, key_prefix=prefix, key_hash=hashed
    )
    register.is_active, register.key_prefix, register.key_hash = True, prefix, hashed
    audit.record(
        user=actor, action=audit.Action.UPDATE, obj=register,
        summary=f"Reactivated with the new key {prefix}… (the key {old_prefix}… is refused)",
    )  # fmt: skip
    return key
