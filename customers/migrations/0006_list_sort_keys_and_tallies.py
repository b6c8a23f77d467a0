"""Stored sort keys with an index per sort of the list, and the customer tallies.

The list sorts business customers by company and the others by last name, and customers
outside the loyalty programme last in both directions: both are stored (``sort_name``,
``loyalty_points``) so that an index serves each sort. PostgreSQL reads a B-tree backwards
with NULLs first, so the descending points sort has an index of its own there; SQLite
serves NULLS LAST from the one index.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Case, F, OuterRef, Subquery, When

POINTS_DESCENDING = "customers_live_points_desc"


def fill_sort_keys_and_tallies(apps, schema_editor):
    from customers.tallies import tally, tally_rows

    Customer = apps.get_model("customers", "Customer")
    CustomerTally = apps.get_model("customers", "CustomerTally")
    LoyaltyAccount = apps.get_model("loyalty", "LoyaltyAccount")
    Customer._base_manager.update(
        sort_name=Case(
            When(customer_type="business", then=F("company_name")), default=F("last_name")
        ),
        loyalty_points=Subquery(
            LoyaltyAccount.objects.filter(customer=OuterRef("pk"), enrolled=True).values("balance")
        ),
    )
    counted = tally(Customer._base_manager.filter(deleted_at__isnull=True))
    CustomerTally.objects.bulk_create(tally_rows(counted, model=CustomerTally))


def create_descending_points_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{POINTS_DESCENDING}" ON "customers_customer" '
            '("loyalty_points" DESC NULLS LAST, "id" DESC) WHERE "deleted_at" IS NULL'
        )


def drop_descending_points_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{POINTS_DESCENDING}"')


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_trigram_search_indexes"),
        ("loyalty", "0001_initial"),
        ("stores", "0002_store_country"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("store_id", models.PositiveIntegerField()),
                (
                    "customer_type",
                    models.CharField(
                        choices=[("personal", "Personal"), ("business", "Business")], max_length=10
                    ),
                ),
                ("loyalty_enrolled", models.BooleanField()),
                (
                    "created_month",
                    models.DateField(help_text="The first day of the month, local time."),
                ),
                ("count", models.IntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="customer",
            name="loyalty_points",
            field=models.PositiveIntegerField(
                blank=True,
                editable=False,
                help_text="The loyalty balance while enrolled, else empty: set by loyalty.services.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="sort_name",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The company of a business customer, else the last name: set by save().",
                max_length=200,
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["created_at", "id"],
                name="customers_live_created",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["sort_name", "first_name", "id"],
                name="customers_live_name",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["email", "id"],
                name="customers_live_email",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["loyalty_points", "id"],
                name="customers_live_points",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["phone"],
                name="customers_live_phone",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["id_number"],
                name="customers_live_id_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="customertally",
            constraint=models.UniqueConstraint(
                fields=("store_id", "customer_type", "loyalty_enrolled", "created_month"),
                name="customers_tally_key",
            ),
        ),
        migrations.RunPython(fill_sort_keys_and_tallies, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            create_descending_points_index, drop_descending_points_index, elidable=False
        ),
    ]
