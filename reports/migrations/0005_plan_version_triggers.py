from django.db import migrations

from criteria.plan_version import REPORTS_WATCHED, triggers_install, triggers_remove


def install(apps, schema_editor):
    triggers_install(schema_editor, REPORTS_WATCHED)


def remove(apps, schema_editor):
    triggers_remove(schema_editor, REPORTS_WATCHED)


class Migration(migrations.Migration):
    """Writes to the ranking tables move the version of the plans whose baseline
    year they are (``criteria.plan_version``)."""

    dependencies = [
        ("criteria", "0011_plan_version"),
        ("reports", "0004_reminder_log"),
    ]

    operations = [migrations.RunPython(install, remove)]
