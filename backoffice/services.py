"""Writes of the simple models every app has (types, plans, settings-like rows): saved or
deleted with an audit event, in one transaction. Models with rules of their own have
their own services. And the removal of export files past their time."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import Export


def editable_fields(model):
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key
    ]


@transaction.atomic
def save_recorded(*, instance, actor):
    """Save ``instance`` and record a "create" event with its values, or an "update" event
    with the fields that changed (none: no event)."""
    model, fields = type(instance), editable_fields(type(instance))
    before = {}
    if instance.pk:
        before = audit.snapshot(model.objects.select_for_update().get(pk=instance.pk), fields)
    instance.save()
    after = audit.snapshot(instance, fields)
    if not before:
        audit.record(
            user=actor,
            action=audit.Action.CREATE,
            obj=instance,
            summary="Created",
            changes={
                name: [None, value] for name, value in after.items() if value not in ("", None)
            },
        )
    elif changes := audit.changes_between(before, after):
        audit.record(
            user=actor,
            action=audit.Action.UPDATE,
            obj=instance,
            summary=f"Changed {', '.join(audit.field_label(model, name) for name in changes)}",
            changes=changes,
        )
    return instance


@transaction.atomic
def delete_recorded(*, instance, actor):
    audit.record(user=actor, action=audit.Action.DELETE, obj=instance, summary="Deleted")
    instance.delete()


def remove_expired_exports():
    """Remove the files of exports older than ``JOB_FILES_KEPT_FOR``; their rows stay, marked
    removed, so that their pages say so. Returns how many files were removed."""
    expired = Export.objects.filter(
        created_at__lt=timezone.now() - settings.JOB_FILES_KEPT_FOR
    ).exclude(file="")
    for export in expired:
        export.file.delete(save=False)
        Export.objects.filter(pk=export.pk).update(file="", status=Export.Status.EXPIRED)
    return len(expired)
