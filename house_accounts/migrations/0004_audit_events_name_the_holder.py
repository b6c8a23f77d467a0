from django.db import migrations
from django.db.models import OuterRef, Subquery


def name_the_holders(apps, schema_editor):
    """Events about an account written before AuditEvent.about_customer: the holder."""
    AuditEvent = apps.get_model("backoffice", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Account = apps.get_model("house_accounts", "HouseAccount")
    content_type = ContentType.objects.filter(app_label="house_accounts", model="houseaccount").first()
    if content_type is None:
        return
    holder = Account.objects.filter(pk=OuterRef("object_id")).values("customer_id")[:1]
    AuditEvent.objects.filter(content_type=content_type, about_customer=None).update(
        about_customer=Subquery(holder)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("house_accounts", "0003_large_payments_by_managers"),
        ("backoffice", "0004_audit_about_customer"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(name_the_holders, migrations.RunPython.noop)]
