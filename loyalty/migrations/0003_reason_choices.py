# The reasons are from a list now. In a migration of its own: PostgreSQL does not alter a
# table in the transaction that updated its rows (0002's data step).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('loyalty', '0002_ledger_reasons_versions_and_cards'),
    ]

    operations = [
        migrations.AlterField(
            model_name='loyaltyledgerentry',
            name='reason',
            field=models.CharField(choices=[('purchase', 'Purchase'), ('return', 'Return'), ('goodwill', 'Goodwill'), ('correction', 'Correction'), ('redemption', 'Redemption'), ('expiry', 'Expiry'), ('other', 'Other'), ('opening', 'Opening balance'), ('enrolled', 'Enrolled'), ('left', 'Left the programme')], max_length=20),
        ),
    ]
