from django.db import migrations

from criteria.plan_version import APPEALS_WATCHED, triggers_install, triggers_remove


def install(apps, schema_editor):
    triggers_install(schema_editor, APPEALS_WATCHED)


def remove(apps, schema_editor):
    triggers_remove(schema_editor, APPEALS_WATCHED)


class Migration(migrations.Migration):
    """A write to an appeal moves its plan's version (``criteria.plan_version``): the
    dashboard's cached body shows the appeals."""

    dependencies = [("criteria", "0011_plan_version")]

    operations = [migrations.RunPython(install, remove)]
