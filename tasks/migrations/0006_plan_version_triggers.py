from django.db import migrations

from criteria.plan_version import TASKS_WATCHED, triggers_install, triggers_remove


def install(apps, schema_editor):
    triggers_install(schema_editor, TASKS_WATCHED)


def remove(apps, schema_editor):
    triggers_remove(schema_editor, TASKS_WATCHED)


class Migration(migrations.Migration):
    """Writes to tasks, their parts and units move the plan's version
    (``criteria.plan_version``)."""

    dependencies = [
        ("criteria", "0011_plan_version"),
        ("tasks", "0005_people_in_the_app"),
    ]

    operations = [migrations.RunPython(install, remove)]
