from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Nhiệm vụ, giải pháp")

    def ready(self) -> None:
        # Imported here because models may not be imported before apps are ready.
        from tasks.evidence import stored_file_delete_on_commit
        from tasks.models import Evidence

        post_delete.connect(
            stored_file_delete_on_commit,
            sender=Evidence,
            dispatch_uid="tasks-evidence-file",
        )
