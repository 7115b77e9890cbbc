from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(app_config: AppConfig, **kwargs: Any) -> None:
    # Once per migrate, after the last of our apps has its permissions.
    if app_config.label == "reports":
        from parplan.roles import role_groups_sync

        role_groups_sync()


class ParplanConfig(AppConfig):
    name = "parplan"
    verbose_name = "PAR Plan"

    def ready(self) -> None:
        post_migrate.connect(_sync_role_groups, dispatch_uid="parplan-role-groups")
